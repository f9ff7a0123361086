"""An account disabled while its phone is in a live game (离职 marked by its officer, or the account admin) loses the
game at once, like its sessions: the connection is told why and closed (it stayed open until the phone hung up)."""

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from quizzes.competitions import services as game_svc
from tests.factories import AdminFactory, UserFactory
from tests.quizzes.competition_factories import make_competition
from tests.quizzes.test_competition_consumers import player_socket, until


@database_sync_to_async
def a_game_with_a_player(**player):
    admin = AdminFactory(institution=None)
    game = game_svc.competition_host(competition=make_competition(questions=2), actor=admin)
    person = UserFactory(**player)
    return admin, game, person, game_svc.competition_join(game=game, user=person)


async def closed_with_reason(phone) -> None:
    refused = await until(phone, lambda f: f.get("type") == "error")
    assert refused["error"] == "account_disabled"
    assert (await phone.receive_output(timeout=3)) == {"type": "websocket.close", "code": 4403}


@pytest.mark.django_db(transaction=True)
async def test_marking_a_player_as_left_closes_their_game(inst_a):
    from elearn.privacy.services import person_mark_left
    from tests.factories import OfficerFactory

    admin, game, person, joined = await a_game_with_a_player(institution=inst_a)
    officer = await database_sync_to_async(OfficerFactory)(institution=inst_a)
    phone = await player_socket(game, person, joined.player, joined.token)
    await until(phone, lambda f: f.get("type") == "state" and f["phase"] == "lobby")
    await database_sync_to_async(person_mark_left)(actor=officer, person=person, left_on=timezone.localdate())
    await closed_with_reason(phone)


@pytest.mark.django_db(transaction=True)
async def test_disabling_in_the_account_admin_closes_the_game():
    admin, game, person, joined = await a_game_with_a_player()
    phone = await player_socket(game, person, joined.player, joined.token)
    await until(phone, lambda f: f.get("type") == "state" and f["phase"] == "lobby")

    @database_sync_to_async
    def disable():
        from elearn.org.models import User

        account = User.objects.get(pk=person.pk)
        account.is_active = False
        account.save()

    await disable()
    await closed_with_reason(phone)


@pytest.mark.django_db(transaction=True)
async def test_saving_an_active_account_closes_nothing():
    admin, game, person, joined = await a_game_with_a_player()
    phone = await player_socket(game, person, joined.player, joined.token)
    await until(phone, lambda f: f.get("type") == "state" and f["phase"] == "lobby")

    @database_sync_to_async
    def rename():
        from elearn.org.models import User

        account = User.objects.get(pk=person.pk)
        account.real_name = "改名"
        account.save()

    await rename()
    assert await phone.receive_nothing(timeout=0.5)
    await phone.disconnect()
