"""Known credential formats inside string literals (``find_credential``, API504).

Substring detectors, each with a stable ``kind`` and a human ``label``.
Exempt: a value containing ``EXAMPLE`` (case-sensitive, AWS documentation
keys), GitHub's documented example tokens, a match whose random part is one repeated character,
only counting runs (``1234567890-abcdefgh``) or contains ``xxxx``, a match followed by ``...`` (a truncated doc value).  Formats with
a weak prefix need entropy: an AWS key id needs 6 distinct characters in its
16-character body, a Google key 10 in its 35 (random ones have about 13 and
27).  Slack tokens need a digit (real ones carry numeric team ids).  A PEM
header needs 8+ characters of key material after it: a bare header is code
checking a format (``pem.startswith("-----BEGIN PRIVATE KEY-----")``).
Stripe test keys (``sk_test_``) are not reported: the contract lists live
keys only.  The jwt.io sample token is reported (no exemption in the
contract).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from fastapi_lint.lazy_re import LazyPattern, lazy_compile
from fastapi_lint.rules.secret_patterns import is_placeholder

__all__ = ["CREDENTIAL_LABELS", "CredentialMatch", "find_credential"]

CREDENTIAL_LABELS: dict[str, str] = {
    "aws-access-key-id": "AWS access key id",
    "github-token": "GitHub token",
    "gitlab-token": "GitLab personal access token",
    "slack-token": "Slack token",
    "stripe-live-key": "Stripe live key",
    "google-api-key": "Google API key",
    "openai-api-key": "OpenAI API key",
    "anthropic-api-key": "Anthropic API key",
    "sendgrid-api-key": "SendGrid API key",
    "private-key": "PEM private key",
    "jwt": "signed JWT",
}


@dataclass(frozen=True)
class CredentialMatch:
    """A credential found in a string: its kind and its span in that string."""

    kind: str
    start: int
    end: int

    @property
    def label(self) -> str:
        """Human name of the kind, for messages: ``"AWS access key id"``."""
        return CREDENTIAL_LABELS[self.kind]

    @property
    def described(self) -> str:
        """The label with its article: ``"an OpenAI API key"``, ``"a Slack token"``.

        Every label that starts with a vowel letter is also said with a vowel sound
        (``AWS``, ``OpenAI``, ``Anthropic``).
        """
        label = self.label
        return f"{'an' if label[0] in 'AEIOUaeiou' else 'a'} {label}"


@dataclass(frozen=True)
class _Detector:
    kind: str
    pattern: LazyPattern[str]
    # Fewest distinct characters in the ``body`` group: entropy for formats
    # whose prefix alone is weak.  2 only rejects one repeated character.
    min_distinct: int = 2
    needs_digit: bool = False


_BEFORE = r"(?<![A-Za-z0-9])"
_DETECTORS = (
    _Detector(
        "aws-access-key-id",
        lazy_compile(_BEFORE + r"(?:AKIA|ASIA|ABIA|ACCA)(?P<body>[A-Z0-9]{16})(?![A-Za-z0-9])"),
        min_distinct=6,
    ),
    _Detector("github-token", lazy_compile(_BEFORE + r"gh[pousr]_(?P<body>[A-Za-z0-9]{20,})")),
    _Detector("github-token", lazy_compile(_BEFORE + r"github_pat_(?P<body>[A-Za-z0-9_]{20,})")),
    _Detector("gitlab-token", lazy_compile(_BEFORE + r"glpat-(?P<body>[0-9A-Za-z_\-]{20,})")),
    _Detector(
        "slack-token",
        lazy_compile(_BEFORE + r"xox[abprs]-(?P<body>[0-9A-Za-z\-]{10,})"),
        needs_digit=True,
    ),
    _Detector("stripe-live-key", lazy_compile(_BEFORE + r"[sr]k_live_(?P<body>[0-9A-Za-z]{16,})")),
    _Detector(
        "google-api-key",
        lazy_compile(r"(?<![A-Za-z0-9_\-])AIza(?P<body>[0-9A-Za-z_\-]{35})(?![0-9A-Za-z_\-])"),
        min_distinct=10,
    ),
    _Detector("anthropic-api-key", lazy_compile(_BEFORE + r"sk-ant-(?P<body>[A-Za-z0-9_\-]{20,})")),
    _Detector(
        "openai-api-key",
        lazy_compile(_BEFORE + r"sk-(?:proj|svcacct|admin)-(?P<body>[A-Za-z0-9_\-]{20,})"),
    ),
    _Detector(
        "openai-api-key",
        lazy_compile(_BEFORE + r"sk-(?P<body>[A-Za-z0-9_\-]{0,200}?T3BlbkFJ[A-Za-z0-9_\-]*)"),
    ),
    _Detector(
        "sendgrid-api-key",
        lazy_compile(
            _BEFORE
            + r"SG\.(?P<body>[A-Za-z0-9_\-]{16,32}\.[A-Za-z0-9_\-]{32,64})(?![A-Za-z0-9_\-])"
        ),
    ),
)
_PEM_HEADER_RE = lazy_compile(
    r"-----BEGIN (?:(?:RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY(?: BLOCK)?-----"
)
# After the header: optional ``Proc-Type: ...`` lines, then base64 key material.
_PEM_BODY_RE = lazy_compile(r"\s*(?:[A-Za-z\-]+:[^\n]*\n)*\s*(?P<body>[A-Za-z0-9+/=\r\n]*)")
_PEM_MIN_BODY = 8
_PEM_END_RE = lazy_compile(r"-----END [A-Z ]*-----")
# The header of a JWT is a JSON object: ``{`` encodes to ``e`` then ``y``
# (``{"``, ``{ ``) or ``w`` (``{\n``).
_JWT_RE = lazy_compile(
    r"(?<![A-Za-z0-9_\-])(?P<header>e[wy][A-Za-z0-9_\-]{6,})\.(?P<payload>[A-Za-z0-9_\-]*)\.(?P<signature>[A-Za-z0-9_\-]+)"
)
_XXXX_RE = lazy_compile(r"x{4}", re.IGNORECASE)


# The random part of GitHub's documented example tokens (`ghp_16C7e42F292c6912E7710c838347Ae178B4a`
# in its docs on token formats, with every prefix): documentation, like AWS's `...EXAMPLE`.
_DOCUMENTED_BODIES = frozenset({"16C7e42F292c6912E7710c838347Ae178B4a"})


def _counting(segment: str) -> bool:
    """``1234567890123``, ``abcdefghijklmnop``, ``abcdefghij0123456789``: runs of digits or
    lower-case letters, each character the one after the last (digits wrap from 9 to 0):
    what a hand-written sample fills a format with."""
    runs = re.findall(r"[0-9]+|[A-Za-z]+|[^0-9A-Za-z]+", segment)
    return bool(runs) and all(_counting_run(run) for run in runs)


def _counting_run(run: str) -> bool:
    # Lower-case letters only: `ABCDEF` after digits is hex, and `AbCdEf...` is how some
    # vendors' own samples look; both stay reported.
    alphabet = "0123456789" if run.isdigit() else "abcdefghijklmnopqrstuvwxyz"
    text = run
    if len(text) < 3 or any(char not in alphabet for char in text):
        return False
    return all(
        alphabet.index(b) == (alphabet.index(a) + 1) % len(alphabet) for a, b in zip(text, text[1:])
    )


def _is_exempt_match(value: str, start: int, end: int, body: str) -> bool:
    """A placeholder credential: repeated body, ``xxxx``, truncated with ``...``, a body
    made only of counting runs (``xoxb-1234567890-1234567890123-abcdefghijklmnop`` as a
    form's placeholder), or a vendor's documented example."""
    if len(set(body.replace("-", "").replace("_", ""))) <= 1 or body in _DOCUMENTED_BODIES:
        return True
    segments = [segment for segment in re.split(r"[-_]", body) if segment]
    if segments and all(_counting(segment) for segment in segments):
        return True
    if _XXXX_RE.search(value, start, end):
        return True
    following = value[end : end + 3]
    return following.startswith(("...", "…", "<", "${", "{"))


def _expired(payload: str) -> bool:
    """A payload whose ``exp`` is past: the token authorizes nothing any more (a sample
    response token in the OpenAPI docs, issued years ago)."""
    claims = _decoded_jwt_header(payload)
    if not isinstance(claims, dict):
        return False
    expiry = claims.get("exp")
    return (
        isinstance(expiry, (int, float)) and not isinstance(expiry, bool) and expiry < time.time()
    )


def _decoded_jwt_header(header: str) -> object:
    if len(header) % 4 == 1:
        return None
    import base64
    import binascii
    import json

    try:
        raw = base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))
        return json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError):  # UnicodeDecodeError, JSONDecodeError
        return None


def _find_jwt(value: str) -> CredentialMatch | None:
    for match in _JWT_RE.finditer(value):
        header = _decoded_jwt_header(match.group("header"))
        if not isinstance(header, dict):
            continue
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm.lower() == "none":
            continue  # unsigned: ``alg: none`` carries no secret
        if _is_exempt_match(value, match.start(), match.end(), match.group("signature")):
            continue
        if _expired(match.group("payload")):
            continue
        return CredentialMatch("jwt", match.start(), match.end())
    return None


def _find_pem(value: str) -> CredentialMatch | None:
    for match in _PEM_HEADER_RE.finditer(value):
        body_match = _PEM_BODY_RE.match(value, match.end())
        assert body_match is not None  # every part of the pattern may be empty
        body = "".join(body_match.group("body").split())
        if len(body) < _PEM_MIN_BODY:
            continue  # a bare header, as in ``pem.startswith("-----BEGIN ...")``
        end_marker = _PEM_END_RE.search(value, body_match.end())
        if end_marker is not None:
            block_end = end_marker.end()
        else:  # a block without its END line ends with its key material
            block_end = match.end() + len(value[match.end() : body_match.end()].rstrip())
        block = value[match.start() : block_end]
        if is_placeholder(block.replace("-----", "")) or value.startswith(
            ("...", "…", "<"), block_end
        ):
            continue  # "MIIE...", "<your key>", "xxxx"
        return CredentialMatch("private-key", match.start(), block_end)
    return None


def _literal_prefix(pattern: str) -> str:
    """What a detector's pattern matches before its ``body`` group, without the
    look-behind: every match of the pattern starts with a match of this."""
    head = pattern.split("(?P<body>", 1)[0]
    if head.startswith("(?<!"):
        head = head[head.index(")") + 1 :]
    return f"(?:{head})"


# One search for all the detectors' prefixes (``AKIA``, ``ghp_``, ``sk-``...): a string
# without any of them matches no detector, and most literals have none (eleven
# searches per literal were 1.5% of a cold run).
_ANY_PREFIX = lazy_compile("|".join(_literal_prefix(d.pattern.pattern) for d in _DETECTORS))


def _find_format(value: str, detector: _Detector) -> CredentialMatch | None:
    for match in detector.pattern.finditer(value):
        body = match.group("body")
        if len(set(body)) < detector.min_distinct:
            continue
        if detector.needs_digit and not any(char.isdigit() for char in body):
            continue
        if _is_exempt_match(value, match.start(), match.end(), body):
            continue
        return CredentialMatch(detector.kind, match.start(), match.end())
    return None


def find_credential(value: str) -> CredentialMatch | None:
    """The first (leftmost) known credential format inside ``value``, or None.

    Formats: AWS access key id, GitHub, GitLab, Slack, Stripe live, Google API
    key, OpenAI, Anthropic, SendGrid, a PEM private key block, a signed JWT.
    Values containing ``EXAMPLE`` are documentation and never match.
    """
    if "EXAMPLE" in value:
        return None
    found = (
        [_find_format(value, detector) for detector in _DETECTORS]
        if _ANY_PREFIX.search(value)
        else []
    )
    if "-----BEGIN" in value:
        found.append(_find_pem(value))
    if "." in value:
        found.append(_find_jwt(value))
    matches = [match for match in found if match is not None]
    return min(matches, key=lambda match: match.start) if matches else None
