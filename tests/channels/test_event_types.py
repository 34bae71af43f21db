"""Rasa's event classes are found by name as Rasa's own lookup finds them, from a table built once."""

import pytest
import rasa.shared.utils.common
from rasa.shared.core.events import Event, UserUttered

from bot.channels import event_types

ORIGINAL = Event.__dict__["resolve_by_type"]


def test_every_event_type_resolves_to_the_class_rasa_finds() -> None:
    names = {cls.type_name for cls in rasa.shared.utils.common.all_subclasses(Event)}
    assert len(names) > 20
    for name in names:
        assert event_types.resolve_by_type(name) is ORIGINAL.__func__(name), name


def test_unknown_names_behave_as_in_rasa() -> None:
    assert event_types.resolve_by_type("topic") is None
    assert event_types.resolve_by_type("no_such_event", UserUttered) is UserUttered
    with pytest.raises(ValueError, match="Unknown event name"):
        event_types.resolve_by_type("no_such_event")


def test_install_replaces_rasas_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Event, "resolve_by_type", ORIGINAL)
    event_types.install()
    assert Event.resolve_by_type("user") is UserUttered
    assert Event.__dict__["resolve_by_type"].__func__ is event_types.resolve_by_type
