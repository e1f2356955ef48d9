"""Clip labels from several raters: rater files, merging, agreement, labelling pages and server.

One module per job (see docs/labelling.md):

* :mod:`engage.labels.files`: reading and writing ``clip_id,label`` files (rater files and labels.csv);
* :mod:`engage.labels.sources`: which label files a session has (parse time of the workflow);
* :mod:`engage.labels.clips`: the clips of a session in labelling order (through engage.contract);
* :mod:`engage.labels.merge`: one label per clip from several raters; the merge stage;
* :mod:`engage.labels.agreement`: ICC(2,1), Krippendorff's alpha, weighted kappa, confusion matrices;
* :mod:`engage.labels.report`: agreement.json and the report items;
* :mod:`engage.labels.pages`: the static labelling pages; :mod:`engage.labels.server`: the local label server.
"""
