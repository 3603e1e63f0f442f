"""Mail joins the request's transaction: a failed commit sends nothing, logs nothing more."""

import logging

import pytest
import transaction
from pyramid_mailer.interfaces import IMailer
from pyramid_mailer.message import Message


class FailingVote:
    """A resource that sorts before the mail and fails its vote, as a storage can."""

    def __init__(self, manager) -> None:
        self.transaction_manager = manager

    def sortKey(self) -> str:
        return "0"

    def tpc_begin(self, txn) -> None:
        pass

    def commit(self, txn) -> None:
        pass

    def tpc_vote(self, txn) -> None:
        raise OSError("the storage failed its vote")

    def tpc_abort(self, txn) -> None:
        pass

    def abort(self, txn) -> None:
        pass


def test_a_failed_commit_drops_the_mail_with_no_second_traceback(ts_app, mailbox, caplog):
    manager = transaction.TransactionManager(explicit=True)
    mailer = ts_app.registry.getUtility(IMailer).bind(transaction_manager=manager)
    txn = manager.begin()
    txn.join(FailingVote(manager))
    mailer.send(Message(subject="Essai", recipients=["famille@example.org"], body="Bonjour"))

    with caplog.at_level(logging.DEBUG), pytest.raises(OSError, match="failed its vote"):
        manager.commit()

    assert mailbox.messages == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
