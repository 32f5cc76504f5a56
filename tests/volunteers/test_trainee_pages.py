"""The trainee pathway through its pages (DESIGN.md rules 2, 6 and 11): reflection, feedback,
sign-off at /supervision/, and community accreditation after three signed-off cases."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import MEDIATOR, SUPERVISOR
from cases import services as case_services
from tests.factories import UserFactory, eligible_volunteer, held_session, ready_case
from volunteers import services
from volunteers.eligibility import pair_problems
from volunteers.models import Accreditation, TraineeCase

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def closed_trainee_case(*, trainee, lead, coordinator) -> TraineeCase:
    """A community case the coordinator paired ``lead`` and ``trainee`` on, then closed."""
    case = ready_case(received_on=timezone.localdate() - datetime.timedelta(days=20))
    services.assign_pair(case=case, lead=lead, co_mediator=trainee, by=coordinator)
    held_session(case)
    case_services.case_close(
        case=case, by=coordinator, outcome="full_agreement", closed_on=timezone.localdate()
    )
    return TraineeCase.objects.get(case=case, trainee=trainee)


@pytest.fixture
def trainee_case(trainee, lead, coordinator):
    """A closed trainee case of the root ``trainee`` with the root ``lead``."""
    return closed_trainee_case(trainee=trainee, lead=lead, coordinator=coordinator)


def page(tc):
    return reverse("volunteers:trainee_case", args=[tc.pk])


def post_reflection(client, tc, text="I listened more than I spoke; next time I will summarise."):
    return client.post(reverse("volunteers:reflection", args=[tc.pk]), {"reflection": text})


def post_feedback(client, tc, text="Calm and even-handed; let the parties finish."):
    return client.post(reverse("volunteers:feedback", args=[tc.pk]), {"feedback": text})


def post_review(client, tc, decision, comments=""):
    return client.post(
        reverse("volunteers:review", args=[tc.pk]), {"decision": decision, "comments": comments}
    )


def test_the_whole_trainee_journey_ends_in_accreditation(
    login, coordinator, supervisor, mediator, other_mediator, trainee_user, trainee, lead
):
    trainee_cases = []
    for _ in range(3):
        # The coordinator assigns the pair and later closes the case, through the pages.
        case = ready_case(received_on=timezone.localdate() - datetime.timedelta(days=20))
        client = login(coordinator)
        url = f"/cases/{case.reference}/"
        client.post(f"{url}assign/", {"lead": lead.pk, "co_mediator": trainee.pk})
        held_session(case)
        client.post(
            f"{url}close/",
            {"outcome": "full_agreement", "closed_on": timezone.localdate().isoformat()},
        )
        case.refresh_from_db()
        assert case.status == "closed" and case.outcome == "full_agreement"
        trainee_cases.append(TraineeCase.objects.get(case=case))

    for number, tc in enumerate(trainee_cases, start=1):
        # The trainee is asked for a reflection on their home page, and writes it.
        client = login(trainee_user)
        assert f"Write your reflection on {tc.case.reference}" in client.get("/").content.decode()
        response = client.get(page(tc))
        assert 'action="{}"'.format(reverse("volunteers:reflection", args=[tc.pk])) in (
            response.content.decode()
        )
        response = post_reflection(client, tc)
        assert response.status_code == 302

        # The experienced co-mediator is asked for feedback, and gives it.
        client = login(mediator)
        assert (
            f"Give feedback to {trainee.full_name} on {tc.case.reference}"
            in client.get("/").content.decode()
        )
        response = post_feedback(client, tc)
        assert response.status_code == 302

        # The supervisor sees it waiting, on their home page and at /supervision/, and signs off.
        client = login(supervisor)
        assert f"Review {tc.case.reference}" in client.get("/").content.decode()
        response = client.get(reverse("volunteers:supervision"))
        assert [t.pk for t in response.context["waiting"]] == [tc.pk]
        response = client.get(page(tc))
        html = response.content.decode()
        assert "Sign off" in html and "Ask for more work" in html
        response = post_review(client, tc, "sign_off", "Well handled.")
        assert response.status_code == 302
        tc.refresh_from_db()
        assert tc.status == TraineeCase.Status.SIGNED_OFF
        assert tc.signed_by == supervisor
        response = client.get(reverse("volunteers:supervision"))
        assert f"{number} of 3 signed off" in response.content.decode()

    # Three signed off: the supervisor grants community accreditation from /supervision/.
    response = client.get(reverse("volunteers:supervision"))
    assert "Grant community accreditation" in response.content.decode()
    response = client.post(
        reverse("volunteers:supervision"), {"volunteer": trainee.pk}, follow=True
    )
    assert any("now a mediator" in m for m in messages_of(response))

    trainee.refresh_from_db()
    assert trainee.status == "mediator"
    accreditation = Accreditation.objects.get(volunteer=trainee, kind="community")
    assert accreditation.granted_by == supervisor
    # Now they can be assigned as a full mediator, with another accredited mediator.
    fresh = ready_case(received_on=timezone.localdate() - datetime.timedelta(days=5))
    other = eligible_volunteer(other_mediator)
    assert pair_problems(fresh, trainee, other) == []
    client = login(coordinator)
    client.post(f"/cases/{fresh.reference}/assign/", {"lead": trainee.pk, "co_mediator": other.pk})
    assert fresh.assignments.get(volunteer=trainee).role == "lead"


def test_the_supervisor_reads_their_trainees_case_but_not_anyone_elses(
    login, coordinator, supervisor, trainee, lead, trainee_case
):
    client = login(supervisor)

    response = client.get(trainee_case.case.get_absolute_url())
    assert response.status_code == 200
    assert "Add a call" not in response.content.decode()  # read-only

    other_supervisor = UserFactory(username="other_supervisor", roles=[SUPERVISOR, MEDIATOR])
    other_trainee = eligible_volunteer(
        UserFactory(username="trainee2", roles=[MEDIATOR]),
        status="trainee",
        supervisor=other_supervisor,
    )
    others = closed_trainee_case(trainee=other_trainee, lead=lead, coordinator=coordinator)
    assert client.get(others.case.get_absolute_url()).status_code == 404
    assert client.get(page(others)).status_code == 404
    response = client.get(reverse("volunteers:supervision"))
    assert others.case.reference not in response.content.decode()


def test_the_trainee_case_page_shows_everything_to_the_case_team(
    login, supervisor, mediator, trainee_user, trainee_case
):
    post_reflection(login(trainee_user), trainee_case, "My reflection text.")
    post_feedback(login(mediator), trainee_case, "My feedback text.")

    response = login(supervisor).get(page(trainee_case))

    html = response.content.decode()
    assert trainee_case.case.get_absolute_url() in html
    for text in (
        trainee_case.trainee.full_name,
        trainee_case.co_mediator.full_name,
        "My reflection text.",
        "My feedback text.",
        "Ready for sign-off",
    ):
        assert text in html


def test_a_review_is_refused_before_reflection_and_feedback(login, supervisor, trainee_case):
    client = login(supervisor)

    response = post_review(client, trainee_case, "sign_off")

    assert "Not ready for review: awaiting the trainee's reflection." in messages_of(response)
    assert "Sign off" not in response.content.decode().split("Supervisor's review")[1]
    trainee_case.refresh_from_db()
    assert trainee_case.status == TraineeCase.Status.PENDING
    assert trainee_case.signed_at is None


def test_asking_for_more_work_needs_comments_and_sends_it_back_to_the_trainee(
    login, supervisor, mediator, trainee_user, trainee_case
):
    post_reflection(login(trainee_user), trainee_case)
    post_feedback(login(mediator), trainee_case)
    client = login(supervisor)

    response = post_review(client, trainee_case, "more_work", "   ")

    assert response.status_code == 200
    assert response.context["review_form"].errors["comments"] == ["Say what more work is needed."]
    trainee_case.refresh_from_db()
    assert trainee_case.status == TraineeCase.Status.PENDING

    response = post_review(client, trainee_case, "more_work", "Say more about the hard moment.")
    assert response.status_code == 302
    trainee_case.refresh_from_db()
    assert trainee_case.status == TraineeCase.Status.MORE_WORK
    assert trainee_case.supervisor_comments == "Say more about the hard moment."

    # The trainee is asked to revise, sees the comments, and the case comes back for review.
    client = login(trainee_user)
    assert f"Revise your reflection on {trainee_case.case.reference}" in (
        client.get("/").content.decode()
    )
    assert "Say more about the hard moment." in client.get(page(trainee_case)).content.decode()
    post_reflection(client, trainee_case, "The hard moment was when Bob walked out.")
    trainee_case.refresh_from_db()
    assert trainee_case.ready_for_sign_off


def test_an_empty_reflection_keeps_the_page_and_says_what_is_missing(
    login, trainee_user, trainee_case
):
    response = post_reflection(login(trainee_user), trainee_case, "  ")

    assert response.status_code == 200
    assert response.context["reflection_form"].errors["reflection"] == [
        "Write your reflection on the case."
    ]


def test_a_trainee_cannot_sign_off_their_own_case(login, mediator, trainee_user, trainee_case):
    post_reflection(login(trainee_user), trainee_case)
    post_feedback(login(mediator), trainee_case)
    client = login(trainee_user)

    assert "Sign off" not in client.get(page(trainee_case)).content.decode()
    response = post_review(client, trainee_case, "sign_off")

    assert "Only the trainee's supervisor can review this case." in messages_of(response)
    trainee_case.refresh_from_db()
    assert trainee_case.status == TraineeCase.Status.PENDING


def test_the_co_mediator_cannot_write_the_reflection(login, mediator, trainee_case):
    response = post_reflection(login(mediator), trainee_case)

    assert "Only the trainee writes their reflection." in messages_of(response)
    trainee_case.refresh_from_db()
    assert trainee_case.reflection == ""


def test_a_reflection_waits_for_the_case_to_close(login, coordinator, trainee_user, trainee, lead):
    case = ready_case(received_on=timezone.localdate() - datetime.timedelta(days=20))
    services.assign_pair(case=case, lead=lead, co_mediator=trainee, by=coordinator)
    tc = TraineeCase.objects.get(case=case)
    client = login(trainee_user)

    assert 'name="reflection"' not in client.get(page(tc)).content.decode()
    response = post_reflection(client, tc)

    assert "Write the reflection once the case has closed." in messages_of(response)


def test_another_mediator_gets_404(login, other_mediator, trainee_case):
    client = login(other_mediator)

    assert client.get(page(trainee_case)).status_code == 404
    assert post_reflection(client, trainee_case).status_code == 404
    assert post_review(client, trainee_case, "sign_off").status_code == 404


def test_supervision_is_for_supervisors_and_coordinators(
    login, coordinator, supervisor, mediator, trainee_case
):
    assert login(mediator).get(reverse("volunteers:supervision")).status_code == 403
    assert login(supervisor).get(reverse("volunteers:supervision")).status_code == 200
    response = login(coordinator).get(reverse("volunteers:supervision"))
    assert response.status_code == 200
    assert trainee_case.case.reference in response.content.decode()


def test_accreditation_with_two_of_three_signed_off_is_refused(
    login, coordinator, supervisor, mediator, trainee_user, trainee, lead
):
    for _ in range(2):
        tc = closed_trainee_case(trainee=trainee, lead=lead, coordinator=coordinator)
        post_reflection(login(trainee_user), tc)
        post_feedback(login(mediator), tc)
        assert post_review(login(supervisor), tc, "sign_off").status_code == 302
    client = login(supervisor)
    response = client.get(reverse("volunteers:supervision"))
    html = response.content.decode()
    assert "2 of 3 signed off" in html
    assert "Grant community accreditation" not in html

    response = client.post(
        reverse("volunteers:supervision"), {"volunteer": trainee.pk}, follow=True
    )

    assert f"{trainee.full_name} has 2 of 3 supervised community cases signed off." in messages_of(
        response
    )
    trainee.refresh_from_db()
    assert trainee.status == "trainee"
    assert not Accreditation.objects.filter(volunteer=trainee).exists()


def test_a_supervisor_cannot_accredit_someone_they_do_not_supervise(login, supervisor, lead):
    other_trainee = eligible_volunteer(status="trainee")

    response = login(supervisor).post(
        reverse("volunteers:supervision"), {"volunteer": other_trainee.pk}
    )

    assert response.status_code == 404
    assert not Accreditation.objects.filter(volunteer=other_trainee).exists()


def test_a_co_mediator_replaced_on_the_case_loses_its_supervision_page(
    login, client, coordinator, trainee, lead, mediator, supervisor, trainee_user
):
    from django.test import Client

    case = ready_case()
    services.assign_pair(case=case, lead=lead, co_mediator=trainee, by=coordinator)
    tc = TraineeCase.objects.get(case=case, trainee=trainee)
    services.assign_pair(case=case, lead=eligible_volunteer(), co_mediator=trainee, by=coordinator)

    assert login(mediator).get(page(tc)).status_code == 404  # the lead who was replaced
    for user in (trainee_user, supervisor):  # still on the case, and supervising it
        other = Client()
        other.force_login(user)
        response = other.get(page(tc))
        assert response.status_code == 200 and case.reference in response.content.decode()
