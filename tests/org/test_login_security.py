"""Login security: changing a password needs the current one; a stranger cannot lock a victim out (lockouts are per
account and address, with a higher ceiling per account and the per-address limit for NATed hospitals); a login answer
costs the same hasher work whatever the account's state; roster messages never identify another institution's
people."""

import hashlib
import io
import os

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from elearn.org import throttle
from elearn.org.exceptions import RosterRejected
from elearn.org.models import User
from elearn.org.passwords import initial_password_hash
from elearn.org.roster import roster_plan
from elearn.org.services import roster_import
from elearn.settings import base as production_settings
from tests.conftest import clear_redis_prefix
from tests.factories import PASSWORD, AdminFactory, UserFactory
from tests.org.test_role_flags import xlsx

THROTTLED = "尝试次数过多"
WRONG = "not-the-password"
NEW = "Brand-new-pass-73"


def forget_counters():
    """Failure counters live in the cache: local memory, or this run's Redis prefix (only that: other runs may share
    the Redis server)."""
    if os.environ.get("REDIS_URL"):
        clear_redis_prefix()
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _fresh_counters():
    forget_counters()
    yield
    forget_counters()


def site_login(client, username, password=PASSWORD):
    return client.post(reverse("org:login"), {"username": username, "password": password})


def admin_login(client, username, password=PASSWORD):
    return client.post(reverse("wagtailadmin_login"), {"username": username, "password": password})


def logged_in(client) -> bool:
    return client.get("/api/v1/me/").status_code == 200


def at(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def refused(response) -> bool:
    return response.status_code in (200, 429) and THROTTLED in response.content.decode()


# --- changing a password ---------------------------------------------------------------------------------------


def change_password(client, old, new=NEW, next_url=""):
    data = {"new_password1": new, "new_password2": new}
    if old is not None:
        data["old_password"] = old
    return client.post(reverse("org:password_change") + next_url, data)


def test_password_change_needs_the_current_password(staff_a):
    client = at("10.0.0.5")
    client.force_login(staff_a)
    assert change_password(client, None).status_code == 200
    assert change_password(client, WRONG).status_code == 200
    staff_a.refresh_from_db()
    assert staff_a.check_password(PASSWORD)

    response = change_password(client, PASSWORD)
    assert response.status_code == 302
    staff_a.refresh_from_db()
    assert staff_a.check_password(NEW) and logged_in(client)


def test_an_imported_account_sets_its_password_with_the_initial_one(inst_a):
    user = User.objects.create(
        employee_no="N1",
        real_name="新人",
        institution=inst_a,
        must_change_password=True,
        password=initial_password_hash("Init-pass-1"),
    )
    client = at("10.0.0.6")
    assert site_login(client, "N1", "Init-pass-1").status_code == 302
    forced = client.get("/me/")
    assert forced.status_code == 302 and forced["Location"].startswith(reverse("org:password_change"))
    page = client.get(forced["Location"])
    assert "old_password" in page.content.decode()

    assert change_password(client, None).status_code == 200  # a borrowed phone cannot set it without the sheet
    user.refresh_from_db()
    assert user.must_change_password

    response = change_password(client, "Init-pass-1", next_url="?next=/me/")
    assert response.status_code == 302 and response["Location"] == "/me/"
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(NEW)
    assert client.get("/me/").status_code == 200


def test_guessing_the_current_password_counts_like_failed_logins(staff_a):
    client = at("10.0.0.8")
    client.force_login(staff_a)
    client.get("/")  # a signed-in browser is a known device of the account: its own counter, the same limit
    for _ in range(throttle.MAX_PER_ACCOUNT_AND_ADDRESS):
        change_password(client, WRONG)
    response = change_password(client, PASSWORD)  # the right one, but this account is locked at this address
    assert refused(response)
    staff_a.refresh_from_db()
    assert staff_a.check_password(PASSWORD)


# --- lockouts --------------------------------------------------------------------------------------------------


def test_a_strangers_wrong_passwords_do_not_lock_the_victim_out_at_their_own_address(db):
    victim = UserFactory(mobile="13912345678")
    stranger = at("10.1.1.66")
    spellings = [victim.employee_no, "13912345678", "139 1234 5678", "+86 139-1234-5678", "0086 13912345678"]
    answers = [site_login(stranger, spellings[n % len(spellings)], WRONG) for n in range(20)]
    limit = throttle.MAX_PER_ACCOUNT_AND_ADDRESS
    assert all(a.status_code == 200 and not refused(a) for a in answers[: limit - 1])
    assert answers[limit - 1].status_code == 429 and refused(answers[limit - 1])  # the attempt that locks is told so
    assert all(refused(a) for a in answers[limit:])
    assert refused(site_login(stranger, victim.employee_no))  # the stranger's address is locked for this account
    assert not logged_in(stranger)

    home = at("10.1.1.7")
    assert site_login(home, victim.employee_no).status_code == 302 and logged_in(home)


def test_wagtail_admin_login_shares_the_counters_and_the_policy(db):
    admin = AdminFactory(institution=None)
    stranger = at("10.3.0.66")
    for _ in range(throttle.MAX_PER_ACCOUNT_AND_ADDRESS):
        admin_login(stranger, admin.employee_no, WRONG)
    admin_login(stranger, admin.employee_no)  # right password, locked at this address
    assert not logged_in(stranger)
    assert refused(site_login(at("10.3.0.66"), admin.employee_no))  # one counter for both login pages

    own = at("10.3.0.7")
    admin_login(own, admin.employee_no)
    assert logged_in(own)


def test_a_locked_pair_adds_nothing_more_to_the_accounts_ceiling(db, settings):
    settings.ELEARN_LOGIN_FAILURES_PER_ACCOUNT = 12
    victim = UserFactory()
    stranger = at("10.5.0.66")
    for _ in range(50):
        site_login(stranger, victim.employee_no, WRONG)
    home = at("10.5.0.7")
    assert site_login(home, victim.employee_no).status_code == 302


def test_the_account_ceiling_locks_it_everywhere_after_failures_from_many_addresses(db, settings):
    settings.ELEARN_LOGIN_FAILURES_PER_ACCOUNT = 12
    victim = UserFactory()
    per_address = throttle.MAX_PER_ACCOUNT_AND_ADDRESS - 1
    for n in range(-(-12 // per_address)):  # enough addresses, each below the pair limit
        client = at(f"10.6.0.{n + 10}")
        for _ in range(per_address):
            site_login(client, victim.employee_no, WRONG)
    assert refused(site_login(at("10.6.9.9"), victim.employee_no))


def test_a_success_forgives_the_pair_and_the_account_but_not_the_address(db, settings):
    settings.ELEARN_LOGIN_FAILURES_PER_ADDRESS = 10
    user = UserFactory()
    client = at("10.7.0.1")
    for _ in range(throttle.MAX_PER_ACCOUNT_AND_ADDRESS - 1):
        site_login(client, user.employee_no, WRONG)
    assert site_login(client, user.employee_no).status_code == 302
    client.logout()
    for _ in range(throttle.MAX_PER_ACCOUNT_AND_ADDRESS - 1):
        site_login(client, user.employee_no, WRONG)
    assert site_login(client, user.employee_no).status_code == 302  # the pair was forgiven: 4 + 4 > 5
    client.logout()
    for n in range(2):  # the address has 8 failures; two more on other accounts reach its limit of 10
        site_login(client, f"nobody{n}", WRONG)
    assert refused(site_login(client, user.employee_no))


def test_per_address_limit_still_holds_for_one_source_across_many_accounts(db, settings):
    settings.ELEARN_LOGIN_FAILURES_PER_ADDRESS = 12
    victim = UserFactory()
    attacker = at("10.9.8.7")
    for n in range(throttle.max_per_address()):
        site_login(attacker, f"guess{n:03d}", WRONG)
    assert refused(site_login(attacker, victim.employee_no))
    elsewhere = at("10.9.8.8")
    assert site_login(elsewhere, victim.employee_no).status_code == 302


def test_a_hospital_behind_one_address_is_not_locked_by_its_staff_mistyping(inst_a):
    nat = "10.10.0.1"
    staff = [UserFactory(institution=inst_a) for _ in range(20)]
    for user in staff:
        for _ in range(throttle.MAX_PER_ACCOUNT_AND_ADDRESS - 1):
            site_login(at(nat), user.employee_no, WRONG)
    for user in staff:
        client = at(nat)
        assert site_login(client, user.employee_no).status_code == 302, user.employee_no


# --- the same hasher work whatever the account -------------------------------------------------------------------


@pytest.fixture
def pbkdf2_work(settings, monkeypatch):
    """The production hashers, with PBKDF2 replaced by a quick stand-in that records the iterations asked of it
    (the work a real PBKDF2 does is proportional to them). Passwords still match or not as with the real one."""
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS
    iterations: list[int] = []

    def recorded(name, password, salt, rounds, dklen=None):
        iterations.append(rounds)
        return hashlib.sha256(b"|".join([name.encode(), password, salt, str(rounds).encode()])).digest()

    monkeypatch.setattr(hashlib, "pbkdf2_hmac", recorded)
    return iterations


def test_a_login_answer_costs_the_same_hasher_work_for_every_kind_of_account(pbkdf2_work, inst_a):
    normal = UserFactory(institution=inst_a, mobile="13700000001")
    normal.set_password(PASSWORD)
    normal.save()
    imported = User.objects.create(
        employee_no="IMP1",
        real_name="新人",
        institution=inst_a,
        must_change_password=True,
        password=initial_password_hash("Init-pass-1"),
    )
    assert imported.password.startswith("pbkdf2_sha256_initial$")
    assert normal.password.startswith(f"pbkdf2_sha256${PBKDF2PasswordHasher.iterations}$")
    disabled = UserFactory(institution=inst_a, is_active=False)
    disabled.set_password(PASSWORD)
    disabled.save()

    cases = {
        "initial password": imported.employee_no,
        "own password": normal.employee_no,
        "own password, by mobile": "137 0000 0001",
        "disabled": disabled.employee_no,
        "no such account": "NOBODY-999",
        "no such mobile": "13799999999",
    }
    work = {}
    for n, (case, login) in enumerate(cases.items()):
        pbkdf2_work.clear()
        response = site_login(at(f"10.4.0.{n}"), login, WRONG)
        assert response.status_code == 200 and "工号/手机号或密码不正确" in response.content.decode()
        work[case] = sum(pbkdf2_work)
    assert set(work.values()) == {PBKDF2PasswordHasher.iterations}, work


def test_the_initial_password_still_logs_in_and_is_cheap_to_write(pbkdf2_work, inst_a):
    pbkdf2_work.clear()
    password = initial_password_hash("Init-pass-1")
    assert sum(pbkdf2_work) < PBKDF2PasswordHasher.iterations / 10  # a roster of thousands imports in seconds
    User.objects.create(employee_no="IMP2", real_name="新人", institution=inst_a, password=password)
    assert site_login(at("10.4.1.1"), "IMP2", "Init-pass-1").status_code == 302


# --- roster messages -------------------------------------------------------------------------------------------


def roster_texts(officer, rows, client_for, api_for) -> list[str]:
    """What the officer is shown about `rows`: the plan, the import page's preview, the API dry run, a refused
    commit."""
    data = xlsx(rows)
    texts = [" ".join(i.reason for i in roster_plan(data=data, filename="r.xlsx", actor=officer).rejected)]
    page = client_for(officer).post(reverse("org_roster_import"), {"file": SimpleUploadedFile("r.xlsx", data)})
    assert page.status_code == 200
    texts.append(page.content.decode())
    api = api_for(officer).post(
        "/api/v1/roster-import/", {"file": SimpleUploadedFile("r.xlsx", data)}, format="multipart"
    )
    texts.append(api.content.decode())
    with pytest.raises(RosterRejected) as refused_commit:
        roster_import(data=data, filename="r.xlsx", actor=officer)
    texts.append(" ".join(i.reason for i in refused_commit.value.plan.rejected))
    return texts


def test_roster_messages_never_identify_another_institutions_people(officer_a, inst_a, inst_b, client_for, api_for):
    other = UserFactory(institution=inst_b, employee_no="B-7788", real_name="乙院的人", mobile="13600007788")
    rows = [["新人", "NEW1", "136-0000-7788", inst_a.name, "", "职工"]]
    plan = roster_plan(data=xlsx(rows), filename="r.xlsx", actor=officer_a)
    assert [(i.row, i.column) for i in plan.rejected] == [(2, "手机号")]
    assert "管理范围以外" in plan.rejected[0].reason
    for text in roster_texts(officer_a, rows, client_for, api_for):
        assert other.employee_no not in text and other.real_name not in text


def test_roster_messages_never_identify_an_admin_of_the_same_institution(officer_a, inst_a, client_for, api_for):
    admin = AdminFactory(institution=inst_a, employee_no="ADM-5566", real_name="本院管理员", mobile="13600005566")
    rows = [["新人", "NEW2", admin.mobile, inst_a.name, "", "职工"]]
    for text in roster_texts(officer_a, rows, client_for, api_for):
        assert admin.employee_no not in text and admin.real_name not in text


def test_roster_messages_still_name_the_officers_own_people(officer_a, staff_a, inst_a):
    rows = [["新人", "NEW3", staff_a.mobile, inst_a.name, "", "职工"]]
    plan = roster_plan(data=xlsx(rows), filename="r.xlsx", actor=officer_a)
    assert staff_a.employee_no in plan.rejected[0].reason


def test_a_district_admin_is_told_which_account_holds_the_number(district_admin, staff_b, inst_a):
    rows = [["新人", "NEW4", staff_b.mobile, inst_a.name, "", "职工"]]
    plan = roster_plan(data=xlsx(rows), filename="r.xlsx", actor=district_admin)
    assert staff_b.employee_no in plan.rejected[0].reason


def test_a_lockout_can_be_lifted_early_with_axes_commands(db):
    from django.core.management import call_command

    user = UserFactory()
    client = at("10.8.0.1")
    for _ in range(throttle.MAX_PER_ACCOUNT_AND_ADDRESS):
        site_login(client, user.employee_no, WRONG)
    assert refused(site_login(client, user.employee_no))
    call_command("axes_reset_ip_username", "10.8.0.1", user.employee_no, stdout=io.StringIO())
    assert site_login(client, user.employee_no).status_code == 302


def test_failures_from_many_addresses_never_lock_the_owner_out_on_a_known_device(db, settings):
    """Found by the adversary pass: five wrong passwords from each of six addresses reached the account-wide ceiling
    and locked the owner out everywhere for 15 minutes (a cheap denial of service against a named account on exam
    day). A device the owner has logged in from before is exempt; a new device still meets the ceiling."""
    victim = UserFactory()
    phone = at("10.9.0.1")
    assert site_login(phone, victim.employee_no).status_code == 302
    assert throttle.KNOWN_DEVICE_COOKIE in phone.cookies  # this browser is now a known device of the account
    device = phone.cookies[throttle.KNOWN_DEVICE_COOKIE].value
    phone.logout()  # the test client forgets every cookie; a browser keeps this one
    phone.cookies[throttle.KNOWN_DEVICE_COOKIE] = device
    per_address = throttle.MAX_PER_ACCOUNT_AND_ADDRESS
    for n in range(-(-settings.ELEARN_LOGIN_FAILURES_PER_ACCOUNT // per_address) + 1):
        stranger = at(f"10.9.1.{n + 10}")
        for _ in range(per_address):
            site_login(stranger, victim.employee_no, WRONG)
    assert refused(site_login(at("10.9.9.9"), victim.employee_no))  # a new device: the ceiling holds
    phone.defaults["REMOTE_ADDR"] = "10.9.2.2"  # the owner's phone, on another network (mobile data)
    assert site_login(phone, victim.employee_no).status_code == 302


def test_a_known_device_has_its_own_limit_and_a_forged_cookie_is_no_device(db):
    owner, other = UserFactory(), UserFactory()
    phone = at("10.9.3.1")
    assert site_login(phone, owner.employee_no).status_code == 302
    device = phone.cookies[throttle.KNOWN_DEVICE_COOKIE].value
    phone.logout()
    phone.cookies[throttle.KNOWN_DEVICE_COOKIE] = device
    for _ in range(throttle.MAX_PER_ACCOUNT_AND_DEVICE):
        site_login(phone, owner.employee_no, WRONG)
    assert refused(site_login(phone, owner.employee_no))  # guessing on the device itself is limited too
    forged = at("10.9.3.2")
    forged.cookies[throttle.KNOWN_DEVICE_COOKIE] = "not-a-signed-value"
    for _ in range(throttle.MAX_PER_ACCOUNT_AND_ADDRESS):
        site_login(forged, other.employee_no, WRONG)
    assert refused(site_login(forged, other.employee_no))
