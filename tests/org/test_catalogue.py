"""The catalogue as an operator loads and extends it, and Thai administrative areas."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from boktor.org import areas
from boktor.org.catalogue import Catalogue, CatalogueError, load_catalogue, read_catalogue
from boktor.org.models import InformationTopic, Organisation, PersonnelType


def test_shipped_catalogue_has_the_ministry(session):
    kinds = dict(session.execute(select(Organisation.kind, func.count()).group_by(Organisation.kind)).all())
    assert kinds["department"] == 7
    assert kinds["state_enterprise"] == 5
    assert kinds["local_government"] == 3
    names = set(session.scalars(select(Organisation.name_th)))
    assert {"กรมการพัฒนาชุมชน", "การไฟฟ้าส่วนภูมิภาค", "องค์การบริหารส่วนตำบล", "กำนัน"} <= names
    assert session.scalar(select(func.count()).select_from(PersonnelType)) == 7
    assert session.scalar(select(func.count()).select_from(InformationTopic)) == 6


def test_operator_extends_and_corrects_without_code(session, tmp_path: Path):
    extra = tmp_path / "extra.toml"
    extra.write_text(
        '[[organisations]]\ncode = "bma"\nname_th = "กรุงเทพมหานคร"\nkind = "local_government"\n\n'
        '[[organisations]]\ncode = "cdd"\nname_th = "กรมการพัฒนาชุมชน"\nshort_name_th = "พช"\nkind = "department"\n',
        encoding="utf-8",
    )
    result = load_catalogue(session, extra)
    assert result.added == {"organisations": 1}
    assert result.updated == {"organisations": 1}
    catalogue = Catalogue(session)
    assert catalogue.find(catalogue.organisations, "กรุงเทพมหานคร").code == "bma"
    assert catalogue.find(catalogue.organisations, "พช.").code == "cdd"
    # Loading twice changes nothing more.
    assert load_catalogue(session, extra).added == {}


def test_catalogue_lookup_by_code_name_and_short_name(session):
    catalogue = Catalogue(session)
    assert catalogue.find(catalogue.organisations, "dopa").name_th == "กรมการปกครอง"
    assert catalogue.find(catalogue.organisations, " กรมการ ปกครอง ").code == "dopa"
    assert catalogue.find(catalogue.organisations, "อบต.").code == "sao"
    assert catalogue.find(catalogue.positions, "พัฒนาการอำเภอ").code == "district_cd_officer"
    assert catalogue.find(catalogue.organisations, "กรมที่ไม่มีอยู่") is None


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('[[organisations]]\nname_th = "x"\n', "needs a code"),
        ('[[organisations]]\ncode = "a"\nname_th = "x"\nkind = "club"\n', "kind must be one of"),
        (
            '[[organisations]]\ncode = "a"\nname_th = "x"\n[[organisations]]\ncode = "a"\nname_th = "y"\n',
            "twice",
        ),
        ("[[departments]]\ncode = 'a'\n", "Unknown section"),
        ("this is not toml = = =", "Cannot read"),
    ],
)
def test_bad_catalogue_files_say_what_is_wrong(tmp_path: Path, content: str, says: str):
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CatalogueError, match=says):
        read_catalogue(path)


def test_areas_come_from_geothai_with_dopa_codes():
    assert len(areas.provinces()) == 77
    assert sum(len(areas.districts(p.code)) for p in areas.provinces()) == 928
    assert areas.province("57").name_th == "เชียงราย"
    assert areas.district("5709").name_th == "แม่สาย"
    assert areas.subdistrict("570906").name_th == "เวียงพางคำ"


@pytest.mark.parametrize("written", ["เชียงราย", "จ.เชียงราย", "จังหวัดเชียงราย", "57", "๕๗", "Chiang Rai"])
def test_province_as_people_write_it(written: str):
    assert areas.find_province(written).code == "57"


@pytest.mark.parametrize("written", ["แม่สาย", "อ.แม่สาย", "อำเภอแม่สาย", "5709", "๕๗๐๙"])
def test_district_as_people_write_it(written: str):
    assert areas.find_district(written, "57").code == "5709"


def test_district_must_be_in_its_province():
    assert areas.find_district("แม่สาย", "50") is None
    assert areas.find_district("5709", "50") is None
    assert areas.find_district("อ.เมือง", "57").code == "5701"


def test_subdistrict_and_village():
    assert areas.find_subdistrict("ต.เวียงพางคำ", "5709").code == "570906"
    assert areas.find_subdistrict("เวียงพางคำ", "5701") is None
    assert areas.parse_village_no("หมู่ที่ ๓") == 3
    assert areas.parse_village_no(7.0) == 7
    with pytest.raises(ValueError):
        areas.parse_village_no("สาม")
    assert areas.area_name("570906") == "ต.เวียงพางคำ อ.แม่สาย จ.เชียงราย"
