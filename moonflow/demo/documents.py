"""Identity documents of Colombia, Peru, Chile and Argentina, with valid check digits.

Numbers are made deterministically from a client's index in its project: a
keyed permutation (a small Feistel network with cycle-walking) of the index
over each type's range of plausible numbers, so numbers look scattered, never
repeat within a project (for fewer clients than the range holds) and a re-run
with the same index gives the same number.
"""

# type -> (lowest number, range size, key)
_RANGES = {
    "CC": (10_000_000, 1_000_000_000, 7_919),  # 8 to 10 digits
    "CE": (100_000, 8_000_000, 104_729),  # 6 to 7 digits
    "NIT": (800_000_000, 200_000_000, 1_299_709),  # companies: 8xx.xxx.xxx / 9xx.xxx.xxx
    "DNI": (10_000_000, 60_000_000, 15_485_863),  # 8 digits
    "RUT": (5_000_000, 16_000_000, 32_452_843),  # people: 5 to 21 million
    "CUIT": (10_000_000, 60_000_000, 49_979_687),  # the 8-digit core (a DNI for people)
}
# Sizes sit just under a power of 4, so the walk rarely needs a second pass.

_NIT_WEIGHTS = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)
_CUIT_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)




def _permute(x: int, size: int, key: int) -> int:
    """A bijection of range(size): Feistel rounds over 2**bits, walking until inside."""
    half = max(1, ((size - 1).bit_length() + 1) // 2)
    mask = (1 << half) - 1
    while True:
        left, right = x >> half, x & mask
        for round_key in (key, key * 3 + 1, key * 5 + 2):
            f = ((right * 0x9E3779B1 + round_key) ^ (right >> 3)) & mask
            left, right = right, left ^ f
        x = (left << half) | right
        if x < size:
            return x


def base_number(document_type: str, index: int, salt: int = 0) -> int:
    low, size, key = _RANGES[document_type]
    return low + _permute((index + salt) % size, size, key)


def nit_check_digit(number: int | str) -> int:
    """Colombian NIT verification digit (DIAN, modulus 11 with prime weights)."""
    digits = str(number)
    total = sum(int(d) * w for d, w in zip(reversed(digits), _NIT_WEIGHTS))
    rest = total % 11
    return rest if rest < 2 else 11 - rest


def rut_check_digit(number: int | str) -> str:
    """Chilean RUT verifier ("0"-"9" or "K"): modulus 11 with weights 2..7."""
    total, weight = 0, 2
    for d in reversed(str(number)):
        total += int(d) * weight
        weight = 2 if weight == 7 else weight + 1
    value = 11 - total % 11
    return {11: "0", 10: "K"}.get(value, str(value))


def cuit_check_digit(first_ten: str) -> int | None:
    """Argentine CUIT/CUIL verifier over prefix + 8 digits; None when no digit fits (10)."""
    total = sum(int(d) * w for d, w in zip(first_ten, _CUIT_WEIGHTS))
    value = 11 - total % 11
    if value == 11:
        return 0
    if value == 10:
        return None
    return value


def make_cuit(core: int, prefix: int) -> str:
    """A CUIT "PP-NNNNNNNN-D". AFIP moves a prefix that yields no digit: 20/27 -> 23, 30 -> 33."""
    for candidate in (prefix, 23 if prefix in (20, 27) else 33, 24 if prefix in (20, 27) else 34):
        digit = cuit_check_digit(f"{candidate}{core:08d}")
        if digit is not None:
            return f"{candidate}-{core:08d}-{digit}"
    raise ValueError(f"No CUIT prefix fits {core}")  # pragma: no cover - cannot happen


def document_number(document_type: str, index: int, *, salt: int = 0, kind: str = "M") -> str:
    """The document number of the client at `index`; kind "M"/"F" (person) or "J" (company)."""
    n = base_number(document_type, index, salt)
    if document_type == "NIT":
        return f"{n}-{nit_check_digit(n)}"
    if document_type == "RUT":
        return f"{n}-{rut_check_digit(n)}"
    if document_type == "CUIT":
        return make_cuit(n, {"M": 20, "F": 27, "J": 30}[kind])
    return str(n)


# Validators (used by the tests, and handy in a shell) -------------------------


def is_valid_rut(value: str) -> bool:
    number, _, digit = value.replace(".", "").upper().partition("-")
    return number.isdigit() and digit == rut_check_digit(number)


def is_valid_cuit(value: str) -> bool:
    digits = value.replace("-", "")
    if len(digits) != 11 or not digits.isdigit():
        return False
    return cuit_check_digit(digits[:10]) == int(digits[10])


def is_valid_nit(value: str) -> bool:
    number, _, digit = value.partition("-")
    return number.isdigit() and digit.isdigit() and nit_check_digit(number) == int(digit)
