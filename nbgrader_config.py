# nbgrader configuration of the course (nbgrader 0.9.6).
#
# nbgrader only LOGS an exception raised while loading this file and then carries on with its
# defaults (source/, release/, no hidden-test clearing in feedback ...). Our tools load this file
# themselves and stop with a clear message instead: `python -m course_lib.instructor check-config`.
# When you run the `nbgrader` command directly, set TRAITLETS_APPLICATION_RAISE_CONFIG_FILE_ERROR=1
# so that a broken file stops it too (course_lib.instructor sets it for every nbgrader it starts).
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader import preprocessors as nbg

from course_lib.nbgrader_plugins import ShortenTestErrors, StripEditorState

c = get_config()  # noqa: F821  (provided by traitlets when it loads this file)

c.CourseDirectory.course_id = "dl-foundations"
# nbgrader wants {source}/{assignment}/{notebook}.ipynb: solutions/ and notebooks/ mirror each other.
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"

# Student versions: nbgrader's own steps, then drop saved widget state (nbgrader keeps it) and
# other editor metadata, so that notebooks/ never depends on how a solution was last saved.
c.GenerateAssignment.preprocessors = [
    nbg.IncludeHeaderFooter,
    nbg.InstantiateTests,
    nbg.LockCells,
    nbg.ClearSolutions,
    nbg.ClearOutput,
    nbg.CheckCellMetadata,
    nbg.ComputeChecksums,
    nbg.SaveCells,
    nbg.ClearHiddenTests,
    nbg.ClearMarkScheme,
    nbg.ComputeChecksums,
    nbg.CheckCellMetadata,
    StripEditorState,
]

# Grading: every cell gets at most this long (an endless loop costs one cell, not the class);
# a deleted or edited test cell is put back from the gradebook before the notebook runs.
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True
c.OverwriteCells.add_missing_cells = True
c.LimitOutput.max_lines = 200       # a huge print is cut short ...
c.LimitOutput.max_traceback = 60    # ... and so is a runaway traceback

# Feedback: nbgrader would show the hidden tests, and a traceback would still quote them.
c.GenerateFeedback.preprocessors = [
    nbg.GetGrades,
    nbg.ClearHiddenTests,
    ShortenTestErrors,
    CSSHTMLHeaderPreprocessor,
]
