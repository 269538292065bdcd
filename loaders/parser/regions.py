"""Unit name → region {province, city, county}, from a small gazetteer in loaders/parser/data/regions.yaml."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from loaders.models import Region

GAZETTEER_PATH = Path(__file__).resolve().parent / "data" / "regions.yaml"

# Longest suffixes first, so "广西壮族自治区" shortens to "广西", not "广西壮族".
PROVINCE_SUFFIX = re.compile(r"(?:壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市)$")
CITY_SUFFIX = re.compile(r"(?:[\u4e00-\u9fff]{0,8}?族)*自治州$|(?:市|地区|盟)$")
# A county-level name right after the city: 吴兴区, 东昌府区, 昆山市, 丰宁满族自治县, 额尔古纳旗.
COUNTY = re.compile(r"^[\u4e00-\u9fff]{1,10}?(?:自治县|自治旗|林区|特区|区|县|市|旗)")
# Development zones and new areas are not counties, even though they end in 区.
NOT_COUNTY = re.compile(r"(?:高新区|经开区|开发区|新区|园区|保税区|示范区|合作区|试验区)$")
COUNTY_NEW_AREAS = ("浦东新区", "滨海新区")  # the two 新区 that are county-level districts
MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")


@dataclass(frozen=True)
class _Place:
    name: str  # the official name, e.g. "湖州市"
    province: str


@dataclass(frozen=True)
class _County:
    name: str  # the official name, e.g. "吴兴区"
    city: str
    province: str


@functools.cache
def _gazetteer() -> tuple[dict[str, str], dict[str, _Place], dict[str, tuple[_County, ...]]]:
    """(province alias → province, city alias → place, county name → every county of that name); city
    aliases are full and short names, county names only full ones (short ones are too often words)."""
    with open(GAZETTEER_PATH, encoding="utf-8") as fh:
        # libyaml's loader when PyYAML has it (same data, ~9x faster: every parser process loads this)
        data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    provinces: dict[str, str] = {}
    cities: dict[str, _Place] = {}
    for province, names in (data.get("provinces") or {}).items():
        for alias in _aliases(province, PROVINCE_SUFFIX):
            provinces[alias] = province
        for city in names or ():
            for alias in _aliases(city, CITY_SUFFIX):
                cities.setdefault(alias, _Place(city, province))
    counties: dict[str, tuple[_County, ...]] = {}
    for province, by_city in (data.get("counties") or {}).items():
        for city, names in (by_city or {}).items():
            for name in names or ():
                counties[name] = (*counties.get(name, ()), _County(name, city, province))
    return provinces, cities, counties


def _aliases(name: str, suffix: re.Pattern[str]) -> tuple[str, ...]:
    short = suffix.sub("", name)
    return (name, short) if len(short) >= 2 and short != name else (name,)


def _match_prefix(text: str, table: dict) -> tuple[str, int] | None:
    """Longest alias in `table` that starts `text`: (alias, length)."""
    for size in range(min(len(text), 12), 1, -1):
        if text[:size] in table:
            return text[:size], size
    return None


def lookup(unit: str | None) -> Region:
    """Region named by a unit name: 湖州市吴兴区 → 浙江省/湖州市/吴兴区; 吴兴区 → the same (the only county of
    that name); 湖南湘江新区 → 湖南省; else empty."""
    if not unit:
        return Region()
    provinces, cities, counties = _gazetteer()
    rest, province, city = unit, None, None
    found = _match_prefix(rest, provinces)
    if found:
        province, rest = provinces[found[0]], rest[found[1]:]
    if province in MUNICIPALITIES:
        city = province
    else:
        city, rest = _city(rest, province, cities)
        if city and not province:
            province = cities[city].province if city in cities else None
    if city:
        return Region(province, city, _county(rest))
    # No city named: a county name alone (吴兴区委) still places the unit, when only one county has it.
    place = _only_county(rest, province, counties)
    return Region(place.province, place.city, place.name) if place else Region(province, None, None)


def _city(rest: str, province: str | None, cities: dict[str, _Place]) -> tuple[str | None, str]:
    found = _match_prefix(rest, cities)
    if not found:
        return None, rest
    alias, size = found
    place = cities[alias]
    if province and place.province != province:
        return None, rest
    # A short name followed by 区/县 is a district that shares the city's name (北京 朝阳区 vs 朝阳市).
    if alias != place.name and rest[size:size + 1] in ("区", "县"):
        return None, rest
    return place.name, rest[size:]


def _only_county(rest: str, province: str | None,
                 counties: dict[str, tuple[_County, ...]]) -> _County | None:
    """The one county whose full name starts `rest` (within `province` when one was named); None when no
    county or several (朝阳区 is in Beijing and in Changchun) have that name."""
    found = _match_prefix(rest, counties)
    if not found:
        return None
    places = [c for c in counties[found[0]] if province in (None, c.province)]
    return places[0] if len(places) == 1 else None


def _county(rest: str) -> str | None:
    m = COUNTY.match(rest)
    if not m or (NOT_COUNTY.search(m.group(0)) and m.group(0) not in COUNTY_NEW_AREAS):
        return None
    return m.group(0)


@functools.cache
def _place_names() -> re.Pattern[str]:
    """Every full county and city name of the gazetteer, longest first (one alternation, compiled once)."""
    _, cities, counties = _gazetteer()
    names = {p.name for p in cities.values()} | set(counties)
    return re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))


def first_place(text: str) -> str:
    """The first county or city the text names by its full name (旺苍县), or ""."""
    m = _place_names().search(text or "")
    return m.group(0) if m else ""
