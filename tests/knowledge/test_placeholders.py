"""Placeholders: malformed ones are found with their 1-based position; filling leaves unknown ones flagged."""

import pytest

from brands.services.knowledge import placeholders


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Halo {customer_name}, tiket {ticket}.", []),
        ("Halo {customer_name", [(6, "“{” is never closed with “}”.")]),
        ("Halo customer_name}", [(19, "“}” closes nothing; remove it or add the “{” it belongs to.")]),
        ("Hi {custmer_name}!", [(4, "“{custmer_name}” is not a known placeholder.")]),
        ("{a{brand}", [(1, "“{” is never closed with “}”.")]),
        (
            "Hi {} and }",
            [
                (4, "“{}” is not a known placeholder."),
                (11, "“}” closes nothing; remove it or add the “{” it belongs to."),
            ],
        ),
        ("{product.name}", [(1, "“{product.name}” needs a product: choose one for this snippet.")]),
    ],
)
def test_it_reports_each_malformed_placeholder_with_its_position(body, expected):
    assert [(p.position, p.message) for p in placeholders.problems_in(body)] == expected


def test_product_fields_are_known_when_the_snippet_has_a_product():
    body = "{product.name} ({product.category}): {product.battery}, {product.colour}"
    problems = placeholders.problems_in(body, product_fields=["battery"])
    assert [(p.position, p.message) for p in problems] == [(57, "“{product.colour}” is not a known placeholder.")]


def test_the_error_message_names_the_position():
    with pytest.raises(placeholders.PlaceholderError) as caught:
        placeholders.check("Halo {nama}")
    assert str(caught.value) == "Position 6: “{nama}” is not a known placeholder."


def test_fill_replaces_known_values_and_flags_the_rest():
    text, unfilled = placeholders.fill(
        "Halo {customer_name} ({customer_handle}), {operator_name} dari {brand}. {ticket} {customer_name}",
        {"customer_name": "Budi", "customer_handle": "", "operator_name": "Sari", "brand": "Acme", "ticket": "T-7"},
    )
    assert text == "Halo Budi ({customer_handle}), Sari dari Acme. T-7 Budi"
    assert unfilled == ["customer_handle"]


def test_leftovers_finds_placeholder_looking_text_once_each():
    assert placeholders.leftovers("a {x} b {product.y} {x} {not a placeholder}") == ["{x}", "{product.y}"]
