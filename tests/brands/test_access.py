"""The capability matrix of brands.access: every capability × every role, plus admin, outsider and anonymous."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from brands import access
from brands.models import Role
from tests.factories import make_brand, make_member, make_user

#: the whole matrix, written out: role → the capabilities it holds on its own brand
EXPECTED = {
    Role.OPERATOR: {"ticket:view", "ticket:work", "note:team"},
    Role.SUPERVISOR: {
        "ticket:view",
        "ticket:work",
        "ticket:assign",
        "reply:approve",
        "report:view",
        "mention:ingest",
        "brand:configure",
        "knowledge:edit",
        "settings:history",
        "goals:edit",
        "team:view",
        "view:team",
        "note:team",
        "webhooks:manage",
        "qa:grade",
        "qa:view",
    },
    Role.MANAGER: {"ticket:view", "report:view", "settings:history", "goals:edit"},
}
ALL_CAPABILITIES = sorted(access.CAPABILITIES)
ROLE_USERS = {Role.OPERATOR: "operator", Role.SUPERVISOR: "supervisor", Role.MANAGER: "manager"}


def test_the_matrix_covers_every_capability_there_is():
    assert set(ALL_CAPABILITIES) == {
        "ticket:view",
        "ticket:work",
        "ticket:assign",
        "reply:approve",
        "report:view",
        "mention:ingest",
        "brand:configure",
        "knowledge:edit",
        "settings:history",
        "goals:edit",
        "team:view",
        "view:team",
        "note:team",
        "webhooks:manage",
        "qa:grade",
        "qa:view",
    }
    assert {perm for role in EXPECTED for perm in EXPECTED[role]} == set(ALL_CAPABILITIES)


@pytest.mark.parametrize("perm", ALL_CAPABILITIES)
@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_a_member_holds_exactly_the_capabilities_of_their_role(cast, role, perm):
    user = getattr(cast, ROLE_USERS[role])
    assert access.has_perm(user, cast.brand_a.pk, perm) is (perm in EXPECTED[role])


@pytest.mark.parametrize("perm", ALL_CAPABILITIES)
@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_a_member_holds_nothing_on_another_brand(cast, role, perm):
    user = getattr(cast, ROLE_USERS[role])
    assert access.has_perm(user, cast.brand_b.pk, perm) is False


@pytest.mark.parametrize("perm", ALL_CAPABILITIES)
def test_brand_b_operator_holds_operator_capabilities_on_b_only(cast, perm):
    assert access.has_perm(cast.operator_b, cast.brand_b.pk, perm) is (perm in EXPECTED[Role.OPERATOR])
    assert access.has_perm(cast.operator_b, cast.brand_a.pk, perm) is False


@pytest.mark.parametrize("perm", ALL_CAPABILITIES)
def test_admin_holds_every_capability_on_every_brand(cast, perm):
    assert access.has_perm(cast.admin, cast.brand_a.pk, perm) is True
    assert access.has_perm(cast.admin, cast.brand_b.pk, perm) is True


@pytest.mark.parametrize("perm", ALL_CAPABILITIES)
def test_outsider_and_anonymous_hold_nothing(cast, perm):
    for user in (cast.outsider, AnonymousUser()):
        assert access.has_perm(user, cast.brand_a.pk, perm) is False
        assert access.has_perm(user, cast.brand_b.pk, perm) is False


@pytest.mark.parametrize("perm", ALL_CAPABILITIES)
def test_an_inactive_member_or_admin_holds_nothing(cast, perm):
    cast.supervisor.is_active = False
    cast.admin.is_active = False
    assert access.has_perm(cast.supervisor, cast.brand_a.pk, perm) is False
    assert access.has_perm(cast.admin, cast.brand_a.pk, perm) is False


def test_perms_for_lists_the_role_capabilities(cast):
    assert access.perms_for(cast.operator, cast.brand_a.pk) == EXPECTED[Role.OPERATOR]
    assert access.perms_for(cast.supervisor, cast.brand_a.pk) == EXPECTED[Role.SUPERVISOR]
    assert access.perms_for(cast.manager, cast.brand_a.pk) == EXPECTED[Role.MANAGER]
    assert access.perms_for(cast.outsider, cast.brand_a.pk) == set()
    assert access.perms_for(cast.admin, cast.brand_b.pk) == set(ALL_CAPABILITIES)


def test_unknown_capability_is_a_programming_error(cast):
    with pytest.raises(ValueError, match="unknown capability 'ticket:fly'"):
        access.has_perm(cast.operator, cast.brand_a.pk, "ticket:fly")
    with pytest.raises(ValueError, match="unknown capability 'ticket:fly'"):
        access.brand_ids_for(cast.operator, "ticket:fly")


def test_brand_ids_for_each_member_of_the_cast(cast):
    a, b = cast.brand_a.pk, cast.brand_b.pk
    assert access.brand_ids_for(cast.operator) == [a]
    assert access.brand_ids_for(cast.manager) == [a]
    assert access.brand_ids_for(cast.manager, "ticket:work") == []
    assert access.brand_ids_for(cast.supervisor, "mention:ingest") == [a]
    assert access.brand_ids_for(cast.operator_b) == [b]
    assert access.brand_ids_for(cast.outsider) == []
    assert access.brand_ids_for(AnonymousUser()) == []
    assert access.brand_ids_for(cast.admin) is None  # every brand


def test_brands_for_an_agency_operator_serving_two_brands(cast):
    third = make_brand("initech")
    make_member(cast.operator_b, cast.brand_a, Role.MANAGER)
    assert list(access.brands_for(cast.operator_b).values_list("slug", flat=True)) == ["acme", "globex"]
    assert list(access.brands_for(cast.operator_b, "ticket:work").values_list("slug", flat=True)) == ["globex"]
    assert list(access.brands_for(cast.outsider)) == []
    assert list(access.brands_for(cast.admin).values_list("slug", flat=True)) == ["acme", "globex", "initech"]
    assert third.slug == "initech"


def test_require_answers_404_out_of_scope_and_403_without_the_role(cast):
    a = cast.brand_a.pk
    with pytest.raises(Http404):
        access.require(cast.outsider, a, "ticket:view")
    with pytest.raises(Http404):
        access.require(cast.operator_b, a, "ticket:work")
    with pytest.raises(PermissionDenied):
        access.require(cast.manager, a, "ticket:work")
    with pytest.raises(PermissionDenied):
        access.require(cast.operator, a, "ticket:assign")
    assert access.require(cast.operator, a, "ticket:work") is None
    assert access.require(cast.admin, a, "mention:ingest") is None


def test_get_brand_for_user(cast):
    assert access.get_brand_for_user(cast.manager, "acme") == cast.brand_a
    with pytest.raises(Http404):
        access.get_brand_for_user(cast.operator_b, "acme")
    with pytest.raises(Http404):
        access.get_brand_for_user(cast.operator, "no-such-brand")
    with pytest.raises(PermissionDenied):
        access.get_brand_for_user(cast.manager, "acme", perm="ticket:work")


def test_roles_are_read_once_per_user_object(cast, django_assert_num_queries):
    user = make_user("fresh")
    make_member(user, cast.brand_a, Role.OPERATOR)
    with django_assert_num_queries(1):
        for perm in ALL_CAPABILITIES:
            access.has_perm(user, cast.brand_a.pk, perm)
            access.has_perm(user, cast.brand_b.pk, perm)
        access.brand_ids_for(user)


def test_a_manager_edits_knowledge_only_where_the_brand_allows(cast):
    assert access.has_perm(cast.manager, cast.brand_a.pk, "knowledge:edit") is False
    cast.brand_a.managers_edit_knowledge = True
    cast.brand_a.save()
    manager = type(cast.manager).objects.get(pk=cast.manager.pk)  # a fresh request: memberships read again
    assert access.has_perm(manager, cast.brand_a.pk, "knowledge:edit") is True
    assert access.brand_ids_for(manager, "knowledge:edit") == [cast.brand_a.pk]
    assert access.has_perm(manager, cast.brand_a.pk, "brand:configure") is False
    operator = type(cast.operator).objects.get(pk=cast.operator.pk)
    assert access.has_perm(operator, cast.brand_a.pk, "knowledge:edit") is False
