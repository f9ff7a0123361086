"""Exam integrity: while a candidate has a counting (not mock) attempt open, nothing the server offers tells them
whether an answer is right. Every entry point that could (mock exams by any route, practice, self-check, the
wrong-answer book, the review of another attempt, live games) is refused with the reason (exam_in_progress, or
practice_paused on practice's own routes) and changes nothing; once the real attempt is submitted it works again.

The guard is one rule in the exams capability (quizzes.exams.services.ensure_not_sitting_exam over
quizzes.exams.selectors.is_sitting_exam); these tests drive it from the outside, through each route."""

import datetime as dt
import json
import uuid

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from quizzes.competitions import services as game_svc
from quizzes.competitions.exceptions import CompetitionError
from quizzes.competitions.models import Player, PlayerAnswer
from quizzes.exams import services as exam_svc
from quizzes.exams.exceptions import ExamInProgress
from quizzes.exams.models import Attempt
from quizzes.exams.selectors import is_sitting_exam
from quizzes.practice import services as practice_svc
from quizzes.practice.exceptions import PracticePaused
from quizzes.practice.models import PracticeAnswer, WrongBookEntry
from tests.courses.factories import make_course, make_lesson
from tests.quizzes.competition_factories import CORRECT, make_competition
from tests.quizzes.exam_factories import EXPLANATION_MARK, exam_with_sections, make_bank

pytestmark = pytest.mark.django_db

REFUSED = "交卷后"  # in every refusal message: the candidate learns why, and when it works again


@pytest.fixture
def bank():
    category, questions = make_bank(singles=3, multiples=1, truefalse=1, fills=1)
    return category, questions


@pytest.fixture
def exam(bank):
    return exam_with_sections(bank[0], count=4, attempts_allowed=2)


@pytest.fixture
def choice_question(bank):
    return next(q for q in bank[1] if q.type == "single")


def sit(exam, user) -> Attempt:
    """Start the real (counting) attempt."""
    attempt = exam_svc.attempt_start(exam=exam, user=user)
    assert not attempt.is_mock and attempt.is_open
    return attempt


def hand_in(attempt, user) -> Attempt:
    return exam_svc.attempt_submit(attempt_id=attempt.pk, user=user)


def mocks(user) -> int:
    return Attempt.objects.filter(user=user, is_mock=True).count()


def assert_refused(response, code):
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["error"] == code and REFUSED in body["detail"]
    text = json.dumps(body, ensure_ascii=False)
    assert "correct" not in text and EXPLANATION_MARK not in text


# --- the rule itself ------------------------------------------------------------------------------------------------


def test_sitting_means_an_open_counting_attempt_that_still_takes_answers(exam, staff_a, time_machine):
    assert not is_sitting_exam(staff_a)
    mock = exam_svc.attempt_start(exam=exam, user=staff_a, mock=True)
    assert not is_sitting_exam(staff_a), "a mock attempt is not a sitting"
    hand_in(mock, staff_a)
    real = sit(exam, staff_a)
    assert is_sitting_exam(staff_a)
    # Answers are still taken for 60 s after the deadline (network grace): still sitting then.
    time_machine.move_to(real.deadline + dt.timedelta(seconds=30), tick=False)
    assert is_sitting_exam(staff_a)
    time_machine.move_to(real.deadline + dt.timedelta(seconds=61), tick=False)
    assert not is_sitting_exam(staff_a)


def test_the_guard_raises_exam_in_progress(exam, staff_a):
    exam_svc.ensure_not_sitting_exam(staff_a)
    real = sit(exam, staff_a)
    with pytest.raises(ExamInProgress) as refused:
        exam_svc.ensure_not_sitting_exam(staff_a)
    assert refused.value.code == "exam_in_progress" and refused.value.status == 409
    assert issubclass(PracticePaused, ExamInProgress) and PracticePaused.code == "practice_paused"
    hand_in(real, staff_a)
    exam_svc.ensure_not_sitting_exam(staff_a)


# --- mock exams, by every route -------------------------------------------------------------------------------------


def test_mock_start_service_refused_while_sitting(exam, staff_a):
    real = sit(exam, staff_a)
    with pytest.raises(ExamInProgress):
        exam_svc.attempt_start(exam=exam, user=staff_a, mock=True)
    assert mocks(staff_a) == 0
    hand_in(real, staff_a)
    assert exam_svc.attempt_start(exam=exam, user=staff_a, mock=True).is_mock


def test_mock_start_through_the_exams_api_refused_while_sitting(exam, staff_a, api_for):
    api = api_for(staff_a)
    real = sit(exam, staff_a)
    assert_refused(api.post(f"/api/v1/exams/{exam.pk}/start/", {"mock": True}, format="json"), "exam_in_progress")
    assert mocks(staff_a) == 0
    # Without "mock" the same call resumes the real attempt, as before.
    resumed = api.post(f"/api/v1/exams/{exam.pk}/start/", {}, format="json")
    assert resumed.status_code == 200 and resumed.json()["id"] == real.pk
    hand_in(real, staff_a)
    started = api.post(f"/api/v1/exams/{exam.pk}/start/", {"mock": True}, format="json")
    assert started.status_code == 201 and started.json()["is_mock"] is True
    assert mocks(staff_a) == 1


def test_mock_start_through_the_exam_page_refused_while_sitting(exam, staff_a, client_for):
    client = client_for(staff_a)
    real = sit(exam, staff_a)
    response = client.post(reverse("quizzes:exam_start", args=[exam.pk]), {"mock": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("quizzes:exam_detail", args=[exam.pk])
    assert any(REFUSED in str(m) for m in get_messages(response.wsgi_request))
    assert mocks(staff_a) == 0
    hand_in(real, staff_a)
    response = client.post(reverse("quizzes:exam_start", args=[exam.pk]), {"mock": "1"})
    mock = Attempt.objects.get(user=staff_a, is_mock=True)
    assert response["Location"] == reverse("quizzes:attempt", args=[mock.pk])


def test_mock_start_through_practice_refused_while_sitting(exam, staff_a, api_for, client_for):
    api, client = api_for(staff_a), client_for(staff_a)
    real = sit(exam, staff_a)
    assert_refused(api.post("/api/v1/practice/mock/", {"exam": exam.pk}, format="json"), "practice_paused")
    page = client.post(reverse("practice:mock_start", args=[exam.pk]))
    assert page.status_code == 302 and page["Location"] == reverse("practice:index")
    assert mocks(staff_a) == 0
    hand_in(real, staff_a)
    assert api.post("/api/v1/practice/mock/", {"exam": exam.pk}, format="json").status_code == 201
    assert mocks(staff_a) == 1


def test_a_real_attempt_of_another_exam_also_counts(exam, bank, staff_a, api_for):
    other = exam_with_sections(bank[0], count=2)
    real = sit(other, staff_a)
    assert_refused(api_for(staff_a).post(f"/api/v1/exams/{exam.pk}/start/", {"mock": True}, format="json"),
                   "exam_in_progress")  # fmt: skip
    hand_in(real, staff_a)
    assert api_for(staff_a).post(f"/api/v1/exams/{exam.pk}/start/", {"mock": True}, format="json").status_code == 201


# --- a mock started before the real attempt -------------------------------------------------------------------------


def _answer_everything(api, attempt_id):
    paper = api.get(f"/api/v1/attempts/{attempt_id}/").json()
    for seq, q in enumerate(paper["questions"], start=1):
        response = ["x"] * q["blanks"] if q["type"] == "fill" else [0]
        assert (
            api.post(
                f"/api/v1/attempts/{attempt_id}/answer/",
                {"position": q["position"], "response": response, "seq": seq},
                format="json",
            ).status_code
            == 200
        )


def _assert_nothing_revealed(review: dict):
    assert review["score"] is None and review["passed"] is None and review["questions"] == []
    assert not any(review["review"][k] for k in ("score", "correctness", "answers", "explanations"))
    assert review["withheld"] is True
    assert EXPLANATION_MARK not in json.dumps(review, ensure_ascii=False)


def test_a_mock_started_before_reveals_nothing_while_the_real_attempt_is_open(exam, staff_a, api_for, client_for):
    api, client = api_for(staff_a), client_for(staff_a)
    mock = exam_svc.attempt_start(exam=exam, user=staff_a, mock=True)
    _answer_everything(api, mock.pk)
    real = sit(exam, staff_a)
    # Resuming the mock through "start" is a mock start too: refused.
    assert_refused(api.post(f"/api/v1/exams/{exam.pk}/start/", {"mock": True}, format="json"), "exam_in_progress")
    # Submitting it is allowed (its clock runs anyway), but the result says nothing: no score, no right/wrong.
    submitted = api.post(f"/api/v1/attempts/{mock.pk}/submit/")
    assert submitted.status_code == 200
    _assert_nothing_revealed(submitted.json())
    assert Attempt.objects.get(pk=mock.pk).state == Attempt.State.SUBMITTED
    _assert_nothing_revealed(api.get(f"/api/v1/attempts/{mock.pk}/review/").json())
    page = client.get(reverse("quizzes:attempt_result", args=[mock.pk])).content.decode()
    assert "正确答案" not in page and "得 " not in page and EXPLANATION_MARK not in page and REFUSED in page
    # ... and the wrong-answer book it fed stays closed while the real attempt is open.
    assert_refused(api.get("/api/v1/wrongbook/"), "practice_paused")
    hand_in(real, staff_a)
    review = api.get(f"/api/v1/attempts/{mock.pk}/review/").json()
    assert review["withheld"] is False and review["score"] is not None and review["questions"]
    assert "correct" in review["questions"][0]
    assert api.get("/api/v1/wrongbook/").status_code == 200


def test_the_review_of_another_exams_attempt_is_withheld_too(exam, bank, staff_a, api_for):
    other = exam_with_sections(bank[0], count=2)
    done = hand_in(sit(other, staff_a), staff_a)
    api = api_for(staff_a)
    assert api.get(f"/api/v1/attempts/{done.pk}/review/").json()["score"] is not None
    assert api.get(f"/api/v1/exams/{other.pk}/").json()["grade"] is not None
    real = sit(exam, staff_a)
    _assert_nothing_revealed(api.get(f"/api/v1/attempts/{done.pk}/review/").json())
    assert api.get(f"/api/v1/exams/{other.pk}/").json()["grade"] is None
    hand_in(real, staff_a)
    assert api.get(f"/api/v1/attempts/{done.pk}/review/").json()["score"] is not None


# --- practice -------------------------------------------------------------------------------------------------------


def test_practice_answer_api_refused_while_sitting(exam, staff_a, api_for, choice_question):
    api = api_for(staff_a)
    real = sit(exam, staff_a)
    body = {"question": choice_question.pk, "response": [0]}
    assert_refused(api.post("/api/v1/practice/answer/", body, format="json"), "practice_paused")
    assert not PracticeAnswer.objects.exists() and not WrongBookEntry.objects.exists()
    hand_in(real, staff_a)
    answered = api.post("/api/v1/practice/answer/", body, format="json")
    assert answered.status_code == 200 and answered.json()["correct_options"] == choice_question.correct_options


def test_practice_page_answer_refused_while_sitting(exam, staff_a, client_for, choice_question):
    client = client_for(staff_a)
    real = sit(exam, staff_a)
    url = reverse("practice:question", args=["random"])
    page = client.post(url, {"question": choice_question.pk, "option": "0", "type": "single"})
    assert page.status_code == 200 and "交卷后才能继续练习" in page.content.decode()
    assert 'name="option"' not in page.content.decode(), "no question to answer while paused"
    assert not PracticeAnswer.objects.exists()
    hand_in(real, staff_a)
    done = client.post(url, {"question": choice_question.pk, "option": "0", "type": "single"})
    assert done.status_code == 302 and PracticeAnswer.objects.count() == 1


def test_practice_next_refused_while_sitting(exam, staff_a, api_for):
    api = api_for(staff_a)
    real = sit(exam, staff_a)
    assert_refused(api.get("/api/v1/practice/next/", {"mode": "wrong"}), "practice_paused")
    hand_in(real, staff_a)
    assert api.get("/api/v1/practice/next/").status_code == 200


def test_an_earlier_practice_answer_is_not_shown_again_while_sitting(exam, staff_a, client_for, choice_question):
    client = client_for(staff_a)
    feedback = practice_svc.practice_answer(user=staff_a, question_id=choice_question.pk, response=[0])
    url = reverse("practice:feedback", args=[feedback.answer.pk])
    assert EXPLANATION_MARK in client.get(url).content.decode()
    real = sit(exam, staff_a)
    page = client.get(url)
    assert page.status_code == 302 and page["Location"] == reverse("practice:index")
    assert any(REFUSED in str(m) for m in get_messages(page.wsgi_request))
    with pytest.raises(PracticePaused):
        practice_svc.practice_feedback(user=staff_a, answer_id=feedback.answer.pk)
    hand_in(real, staff_a)
    assert EXPLANATION_MARK in client.get(url).content.decode()


def test_the_wrong_answer_book_is_closed_while_sitting(exam, staff_a, api_for, client_for, choice_question):
    api, client = api_for(staff_a), client_for(staff_a)
    practice_svc.practice_answer(user=staff_a, question_id=choice_question.pk, response=[0])  # wrong: in the book
    assert api.get("/api/v1/wrongbook/").json()["count"] == 1
    real = sit(exam, staff_a)
    assert_refused(api.get("/api/v1/wrongbook/"), "practice_paused")
    page = client.get(reverse("practice:wrongbook")).content.decode()
    assert choice_question.stem not in page and "交卷后才能继续练习" in page
    index = client.get(reverse("practice:index")).content.decode()
    assert "错题本中有" not in index and "开始模拟" not in index and "交卷后才能继续练习" in index
    hand_in(real, staff_a)
    assert api.get("/api/v1/wrongbook/").json()["count"] == 1
    assert choice_question.stem in client.get(reverse("practice:wrongbook")).content.decode()


# --- self-check on study pages --------------------------------------------------------------------------------------


def test_self_check_refused_while_sitting(exam, staff_a, api_for, choice_question):
    body = [{"type": "self_check", "id": str(uuid.uuid4()), "value": {"question": choice_question.pk, "intro": "自测"}}]
    lesson = make_lesson(make_course(lessons=0), title="自测课", slug="check", body=body)
    api = api_for(staff_a)
    payload = {"page": lesson.pk, "question": choice_question.pk, "answer": ["0"]}
    real = sit(exam, staff_a)
    assert_refused(api.post("/api/v1/self-check/", payload, format="json"), "exam_in_progress")
    with pytest.raises(ExamInProgress):
        practice_svc.self_check(user=staff_a, question_id=choice_question.pk, answer=["0"])
    hand_in(real, staff_a)
    checked = api.post("/api/v1/self-check/", payload, format="json")
    assert checked.status_code == 200 and checked.json()["correct_options"] == choice_question.correct_options


# --- live games -----------------------------------------------------------------------------------------------------


@pytest.fixture
def game(district_admin):
    return game_svc.competition_host(competition=make_competition(questions=2), actor=district_admin)


def test_a_player_sitting_an_exam_may_not_join_a_live_game(exam, game, staff_a, client_for):
    real = sit(exam, staff_a)
    with pytest.raises(CompetitionError) as refused:
        game_svc.competition_join(game=game, user=staff_a)
    assert refused.value.code == "exam_in_progress" and REFUSED in str(refused.value.message)
    page = client_for(staff_a).post(reverse("quizzes:play_game", args=[game.pin]))
    assert any(REFUSED in str(m) for m in get_messages(page.wsgi_request))
    assert not Player.objects.filter(user=staff_a).exists()
    hand_in(real, staff_a)
    assert game_svc.competition_join(game=game, user=staff_a).player.user_id == staff_a.pk


def test_a_player_who_starts_an_exam_mid_game_may_not_answer(exam, game, district_admin, staff_a, staff_b):
    player = game_svc.competition_join(game=game, user=staff_a).player
    game_svc.competition_join(game=game, user=staff_b)
    game_svc.competition_start(game_id=game.pk, actor=district_admin)
    real = sit(exam, staff_a)
    with pytest.raises(CompetitionError) as refused:
        game_svc.competition_answer(game_id=game.pk, player_id=player.pk, index=0, choice=[CORRECT])
    assert refused.value.code == "exam_in_progress"
    assert not PlayerAnswer.objects.exists()
    hand_in(real, staff_a)
    assert game_svc.competition_answer(game_id=game.pk, player_id=player.pk, index=0, choice=[CORRECT]).status == (
        "accepted"
    )


def test_hosts_who_manage_the_bank_are_not_refused(exam, district_admin):
    """District admins read every answer in the bank admin anyway: refusing them would protect nothing."""
    sit(exam, district_admin)
    game = game_svc.competition_host(competition=make_competition(questions=1), actor=district_admin)
    state = game_svc.competition_start(game_id=game.pk, actor=district_admin)
    assert state["phase"] == "question"


def test_a_safety_officer_sitting_an_exam_may_not_host(exam, officer_a, inst_a, api_for):
    competition = make_competition(questions=2, institutions=[inst_a])
    game = game_svc.competition_host(competition=competition, actor=officer_a)
    real = sit(exam, officer_a)
    with pytest.raises(CompetitionError) as refused:
        game_svc.competition_host(competition=competition, actor=officer_a)
    assert refused.value.code == "exam_in_progress"
    api = api_for(officer_a)
    response = api.post(f"/api/v1/games/{game.pk}/control/", {"action": "start"}, format="json")
    assert response.status_code == 409 and response.json()["error"] == "exam_in_progress"
    assert api.get(f"/api/v1/games/{game.pk}/state/").json()["error"] == "exam_in_progress"
    game.refresh_from_db()
    assert game.phase == "lobby"
    hand_in(real, officer_a)
    assert api.post(f"/api/v1/games/{game.pk}/control/", {"action": "start"}, format="json").status_code == 200


@pytest.mark.django_db(transaction=True)
async def test_a_player_socket_is_refused_while_sitting_and_closed_on_an_answer():
    from channels.db import database_sync_to_async

    from tests.factories import AdminFactory, UserFactory
    from tests.quizzes.test_competition_consumers import connect, player_socket, until

    @database_sync_to_async
    def setup():
        category, _ = make_bank(singles=4, multiples=0, truefalse=0, fills=0)
        exam = exam_with_sections(category, count=2)
        admin = AdminFactory(institution=None)
        game = game_svc.competition_host(competition=make_competition(questions=2), actor=admin)
        sitting, other = UserFactory(), UserFactory()
        joined = game_svc.competition_join(game=game, user=sitting)
        game_svc.competition_join(game=game, user=other)
        return exam, admin, game, sitting, joined

    exam, admin, game, sitting, joined = await setup()
    phone = await player_socket(game, sitting, joined.player, joined.token)
    await until(phone, lambda f: f.get("type") == "state" and f["phase"] == "lobby")
    host = await connect(f"/ws/host/{game.pk}/", user=admin)
    lobby = await until(host, lambda f: f.get("type") == "state")
    await host.send_json_to({"action": "start", "version": lobby["version"]})
    await until(phone, lambda f: f.get("type") == "state" and f["phase"] == "question")
    real = await database_sync_to_async(sit)(exam, sitting)
    await phone.send_json_to({"action": "answer", "index": 0, "choice": [CORRECT]})
    refused = await until(phone, lambda f: f.get("type") == "error")
    assert refused["error"] == "exam_in_progress" and REFUSED in refused["message"]
    assert (await phone.receive_output(timeout=2))["type"] == "websocket.close", "no reveal reaches this phone"
    assert not await database_sync_to_async(PlayerAnswer.objects.exists)()
    # Reconnecting is refused too, with the reason.
    again = await player_socket_refused(game, sitting, joined.token)
    assert again["error"] == "exam_in_progress"
    await database_sync_to_async(hand_in)(real, sitting)
    phone = await player_socket(game, sitting, joined.player, joined.token)
    await until(phone, lambda f: f.get("type") == "state" and f["phase"] == "question")
    await phone.send_json_to({"action": "answer", "index": 0, "choice": [CORRECT]})
    ack = await until(phone, lambda f: f.get("type") in ("ack", "error"))
    assert ack["type"] == "ack" and ack["status"] == "accepted"
    for comm in (phone, host):
        await comm.disconnect()


async def player_socket_refused(game, user, token) -> dict:
    from quizzes.competitions.selectors import player_cookie
    from tests.quizzes.test_competition_consumers import communicator

    comm = await communicator(f"/ws/play/{game.pin}/", user=user, cookies={player_cookie(game.pk): token})
    connected, _ = await comm.connect(timeout=5)
    assert connected  # accepted only to say why, then closed
    frame = json.loads(await comm.receive_from(timeout=5))
    closed = await comm.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4403}
    return frame


@pytest.mark.django_db(transaction=True)
async def test_a_phone_already_in_a_game_is_closed_when_its_owner_starts_an_exam():
    """Found by the adversary pass: a phone connected before the exam kept receiving every reveal (correct option and
    explanation) while its owner sat the exam, as long as it did not answer. Starting a counting attempt now closes
    the account's live connections; a bank manager hosting the game keeps the console."""
    from channels.db import database_sync_to_async

    from tests.factories import AdminFactory, UserFactory
    from tests.quizzes.test_competition_consumers import connect, player_socket, until

    @database_sync_to_async
    def setup():
        category, _ = make_bank(singles=4, multiples=0, truefalse=0, fills=0)
        exam = exam_with_sections(category, count=2)
        admin = AdminFactory(institution=None)
        game = game_svc.competition_host(competition=make_competition(questions=2), actor=admin)
        sitting = UserFactory()
        joined = game_svc.competition_join(game=game, user=sitting)
        return exam, admin, game, sitting, joined

    exam, admin, game, sitting, joined = await setup()
    phone = await player_socket(game, sitting, joined.player, joined.token)
    await until(phone, lambda f: f.get("type") == "state" and f["phase"] == "lobby")
    host = await connect(f"/ws/host/{game.pk}/", user=admin)
    lobby = await until(host, lambda f: f.get("type") == "state")
    await host.send_json_to({"action": "start", "version": lobby["version"]})
    await until(phone, lambda f: f.get("type") == "state" and f["phase"] == "question")
    await database_sync_to_async(sit)(exam, sitting)
    refused = await until(phone, lambda f: f.get("type") == "error")
    assert refused["error"] == "exam_in_progress"
    assert (await phone.receive_output(timeout=3)) == {"type": "websocket.close", "code": 4403}
    # The host (a bank manager) keeps the console and moves on to the reveal; the phone is gone.
    question = await until(host, lambda f: f.get("type") == "state" and f["phase"] == "question")
    await host.send_json_to({"action": "next", "version": question["version"]})
    await until(host, lambda f: f.get("type") == "state" and f["phase"] == "reveal")
    assert await phone.receive_nothing(timeout=0.5)
    await host.disconnect()
