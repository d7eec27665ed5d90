import datetime

import pytest
from stdnum.cn import ric, uscc

from apec.validators import (
    is_valid_id_number,
    is_valid_mobile,
    is_valid_passport_number,
    is_valid_uscc,
    mask_identity,
)


def with_id_check(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


def with_uscc_check(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


class TestUscc:
    @pytest.mark.parametrize("value", [
        "91110108MABR45JAXC",                # from seed 000
        "91110108mabr45jaxc",                # lower case is upper-cased
        "  91110108MABR45JAXC\n",            # surrounding white space
        "９１１１０１０８ＭＡＢＲ４５ＪＡＸＣ",  # full-width input is NFKC-normalised
        with_uscc_check("Y1110108MA0D7R6T1"),  # letter in position 1 (registration authority)
        with_uscc_check("91430100MA4L2X3K8"),
    ])
    def test_accepts(self, value):
        assert is_valid_uscc(value)

    @pytest.mark.parametrize("value", [
        "",
        "91110108MABR45JAXD",                # wrong check character
        "91110108MABR45JAX",                 # 17 characters
        "91110108MABR45JAXCC",               # 19 characters
        "91110108MABR45JIXC",                # I is not in the GB 32100 alphabet
        "911101O8MABR45JAXC",                # letter O in the digit-only area code
        "91110108-MABR45JAXC",
    ])
    def test_refuses(self, value):
        assert not is_valid_uscc(value)


class TestIdNumber:
    @pytest.mark.parametrize("value", [
        "110105199805152516",                # from seed 000
        "320621198907080025",                # from seed 000
        with_id_check("43010219850515002"),
        "１１０１０５１９９８０５１５２５１６",  # full-width digits
    ])
    def test_accepts(self, value):
        assert is_valid_id_number(value)

    def test_accepts_lower_case_x_check_digit(self):
        body = next(
            f"11010519900101{n:03d}" for n in range(1000)
            if ric.calc_check_digit(f"11010519900101{n:03d}0") == "X"
        )
        assert is_valid_id_number(body + "x")
        assert is_valid_id_number(body + "X")

    @pytest.mark.parametrize("value", [
        "",
        "110105199805152517",                # wrong check digit
        "11010519980515251",                 # 17 characters
        "11010519980515251A",                # letter other than X
    ])
    def test_refuses_malformed(self, value):
        assert not is_valid_id_number(value)

    @pytest.mark.parametrize("body17", [
        "11010519990230123",                 # 30 February
        "11010519981332123",                 # month 13
        "11010518500101123",                 # born 1850
    ])
    def test_refuses_correct_checksum_with_impossible_date(self, body17):
        assert not is_valid_id_number(with_id_check(body17))

    def test_refuses_birth_date_in_the_future(self):
        tomorrow = datetime.date.today() + datetime.timedelta(days=1)
        assert not is_valid_id_number(with_id_check(f"110105{tomorrow:%Y%m%d}123"))

    @pytest.mark.parametrize("body17", [
        "00010519900101123",                 # 00 is no province
        "99010519900101123",
        "19010519900101123",
        "72010519900101123",
    ])
    def test_refuses_correct_checksum_with_unknown_province(self, body17):
        assert not is_valid_id_number(with_id_check(body17))


def test_refuses_non_ascii_digits_that_nfkc_keeps():
    arabic_indic = "110105199805152516".translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert not is_valid_id_number(arabic_indic)
    assert not is_valid_mobile("13" + "٨٠٠٠٠٠٠٠١")
    assert not is_valid_passport_number("E" + "२६८९५५०२")


class TestPassportNumber:
    @pytest.mark.parametrize("value", ["E26895502", "e58172023", "EA1234567", "G12345678", " Ｅ２６８９５５０２ "])
    def test_accepts(self, value):
        assert is_valid_passport_number(value)

    @pytest.mark.parametrize("value", [
        "", "E1234567", "E123456789", "EI1234567", "G1234567A", "P12345678", "D12345678", "E2689550",
    ])
    def test_refuses(self, value):
        assert not is_valid_passport_number(value)


class TestMobile:
    @pytest.mark.parametrize("value", ["15225178819", "+8613800000001", "138 0000 0001", "１３８０００００００１"])
    def test_accepts(self, value):
        assert is_valid_mobile(value)

    @pytest.mark.parametrize("value", ["", "1345676766", "12345678901", "23800000001", "138000000012"])
    def test_refuses(self, value):
        assert not is_valid_mobile(value)


def test_mask_identity_keeps_ends():
    assert mask_identity("110105199805152516") == "1101**********2516"
