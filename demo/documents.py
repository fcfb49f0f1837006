"""Identity documents of Colombia, Peru, Chile and Argentina, with valid check digits.

Numbers are made deterministically from a client's index in its project: a
keyed permutation (a small Feistel network with cycle-walking) of the index
over each type's range of plausible numbers, so numbers look scattered, never
repeat within a project (for fewer clients than the range holds) and a re-run
with the same index gives the same number.

They are written in the stored form of `clients.validation` (the form
Editar → Guardar gives back unchanged): a NIT as its base digits (its
verification digit is derived), a RUT as "12345678-5", a CUIT as its 11
digits. The check digits are those of `clients.validation`; how they read on
screen ("888.605.031-8", "30-24801014-9") is `clients.display`'s business.
"""

from clients.validation import cuit_check_digit, nit_check_digit, rut_check_digit

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


def make_cuit(core: int, prefix: int) -> str:
    """A CUIT's 11 digits "PPNNNNNNNND". AFIP moves a prefix that yields no digit:
    20/27 -> 23, 30 -> 33."""
    for candidate in (prefix, 23 if prefix in (20, 27) else 33, 24 if prefix in (20, 27) else 34):
        first_ten = f"{candidate}{core:08d}"
        digit = cuit_check_digit(first_ten)
        if digit is not None:
            return f"{first_ten}{digit}"
    raise ValueError(f"No CUIT prefix fits {core}")  # pragma: no cover - cannot happen


def document_number(document_type: str, index: int, *, salt: int = 0, kind: str = "M") -> str:
    """The stored document number of the client at `index`; kind "M"/"F" (person) or
    "J" (company)."""
    n = base_number(document_type, index, salt)
    if document_type == "RUT":
        return f"{n}-{rut_check_digit(str(n))}"
    if document_type == "CUIT":
        return make_cuit(n, {"M": 20, "F": 27, "J": 30}[kind])
    # CC, CE, DNI and NIT: the digits alone.
    return str(n)


# Validators (used by the tests, and handy in a shell) -------------------------


def is_valid_rut(value: str) -> bool:
    number, _, digit = value.replace(".", "").upper().partition("-")
    return number.isdigit() and digit == rut_check_digit(number)


def is_valid_cuit(value: str) -> bool:
    digits = value.replace("-", "")
    if len(digits) != 11 or not digits.isdigit():
        return False
    return cuit_check_digit(digits[:10]) == digits[10]


def is_valid_nit(value: str) -> bool:
    """A NIT as stored (its base digits: the verification digit is derived), or
    written with a verification digit that matches ("900123456-8")."""
    number, dash, digit = value.partition("-")
    if not (number.isdigit() and 5 <= len(number) <= 15):
        return False
    return not dash or digit == nit_check_digit(number)
