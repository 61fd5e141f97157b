"""Background work (Django's tasks framework; django-tasks-db runs it in `manage.py db_worker`)."""

from django.tasks import task

from meetings.minutes import issuing


@task
def sign_and_issue_minutes(*, minutes_id: int, signer_id: int) -> str:
    """Render, sign and issue minutes the leader has authorised; return the document number.

    On failure nothing is issued and no number is used (one transaction); the minutes go back
    to the leader with the reason, and the error is raised for the task's record.
    """
    try:
        return issuing.sign_and_issue(minutes_id=minutes_id, signer_id=signer_id).number
    except Exception as error:
        issuing.signing_failed(minutes_id=minutes_id, error=str(error) or type(error).__name__)
        raise
