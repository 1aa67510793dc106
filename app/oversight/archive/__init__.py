"""Each person's archive (§4.3): the entries gathered from every feature
(:mod:`.entries`), their words (:mod:`.labels`), one person's PDF (:mod:`.pdf`) and
everyone's per period as CSV or Excel (:mod:`.exports`)."""
