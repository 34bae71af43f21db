"""Making knowledge live: `bot knowledge publish`, and the action server's side of it (publish at start, then
follow every new release within a poll interval, building it beside the live one and swapping it in whole)."""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor

from bot import services
from bot.knowledge import releases
from bot.knowledge.releases import PublishRefused, Release
from bot.settings import Settings, get_settings

log = logging.getLogger(__name__)


def publish_knowledge(settings: Settings) -> Release:
    """Check knowledge/, build its services (stored in the cache, so servers load them in a second), make it live.
    Raises PublishRefused with the problems; the live release is then unchanged."""
    return releases.publish(
        settings.knowledge_dir,
        settings.releases_dir,
        lambda folder: services.services_for(folder).warm_up(),
    )


def _publish_with_environment_settings() -> Release:
    return publish_knowledge(get_settings())


def publish_in_child() -> Release:
    """``publish_knowledge`` in a fresh Python process with this one's environment: checking every knowledge file
    and building the retriever parse megabytes of YAML and import scikit-learn, which would stay in the serving
    process's memory (measured: 464 instead of 300 MiB for the action server after a start that built)."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as child:
        return child.submit(_publish_with_environment_settings).result()


def start_serving(settings: Settings) -> services.KnowledgeServices:
    """The version a starting action server serves: knowledge/ as published now, or, if it is refused, the last
    release (its problems logged); with neither it raises. Under KNOWLEDGE_SOURCE=folder, knowledge/ unchecked."""
    if settings.knowledge_source == "folder":
        return services.services_for(settings.knowledge_dir).warm_up()
    try:
        release: Release | None = publish_in_child()
    except PublishRefused as refused:
        release = releases.current(settings.releases_dir)
        for problem in refused.problems:
            log.error("knowledge/ not published: %s", problem)
        if release is None:
            raise
        log.error("serving the last published knowledge, %s of %s", release.digest, release.published_at)
    assert release is not None
    version = services.services_for(release.folder).warm_up()
    services.go_live(version)
    return version


class KnowledgeFollower(threading.Thread):
    """Polls the live-release pointer; a new release is built in this thread, then swapped in for new requests."""

    def __init__(self, settings: Settings, serving: services.KnowledgeServices):
        super().__init__(name="knowledge-follower", daemon=True)
        self.settings = settings
        self.serving = serving
        self.stopped = threading.Event()
        self.failed = ""  # a release that would not load is reported once, not every poll

    def run(self) -> None:
        while not self.stopped.wait(self.settings.knowledge_poll_seconds):
            self.check_once()

    def check_once(self) -> bool:
        """Go live with a newly published release; True when it did."""
        release = releases.current(self.settings.releases_dir)
        if release is None or release.folder == self.serving.folder or release.digest == self.failed:
            return False
        try:
            version = services.services_for(release.folder).warm_up()
        except Exception:  # never crash the server over content; publish checked it, so this is a bug to see
            self.failed = release.digest
            log.exception(
                "published knowledge %s could not be loaded; still serving the previous", release.digest
            )
            return False
        services.go_live(version)
        self.serving = version
        log.info("knowledge %s (published %s) is live", release.digest, release.published_at)
        return True
