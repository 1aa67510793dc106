"""Every select of a policy (curriculum) area shows translated labels and keeps the keys."""

from __future__ import annotations

import re

import pytest

from app.courses.loader import AREAS

PAGES = [  # (path, roles, the select's name)
    ("/banks/upload", ("trainer",), "area"),
    ("/training/needs/new", ("learner",), "area"),
    ("/training/items/new", ("trainer",), "area"),
    ("/courses/", ("learner",), "area"),
]
LABELS = {"en": {"product": "Products", "industry": "Industry", "technical": "Technology"},
          "zh_CN": {"product": "产品", "industry": "行业", "technical": "技术"}}


def _options(html: str, name: str) -> dict[str, str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select named {name}"
    return {value: text.strip() for value, text in
            re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))}


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
@pytest.mark.parametrize("path,roles,name", PAGES)
def test_area_selects_show_translated_labels_for_stored_keys(
        client, signed_in, locale, path, roles, name):
    signed_in(*roles, locale=locale)
    response = client.get(path)
    assert response.status_code == 200
    options = _options(response.get_data(as_text=True), name)
    assert set(AREAS) <= set(options)  # the values stay the stored keys
    for key, label in LABELS[locale].items():
        assert options[key] == label
    for key in AREAS:  # no option shows a raw key as its text
        assert options[key] != key
