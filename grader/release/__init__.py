"""Making what students get: the release notebooks (:mod:`.notebooks`, ``make release``) and the
student bundle (:mod:`.student`, ``make student-release``)."""
