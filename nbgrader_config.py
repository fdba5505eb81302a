# nbgrader configuration of the course (nbgrader 0.9.6).
#
# nbgrader only LOGS an exception raised while loading this file and then carries on with its
# defaults (source/, release/, no hidden-test clearing in feedback ...). Our tools load this file
# themselves and stop with a clear message instead: `python -m course_lib.grading check-config`.
# When you run the `nbgrader` command directly, set TRAITLETS_APPLICATION_RAISE_CONFIG_FILE_ERROR=1
# so that a broken file stops it too (course_lib.grading.course sets it for each nbgrader it
# starts).
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader import preprocessors as nbg

from course_lib.grading.nbgrader_plugins import (
    ClearHiddenTestsOfTests,
    DropSolutionNotes,
    JudgedExecute,
    SafeCollect,
    ShortenTestErrors,
    StripEditorState,
    feedback_template_dirs,
)

c = get_config()  # noqa: F821  (provided by traitlets when it loads this file)

c.CourseDirectory.course_id = "dl-foundations"
# nbgrader wants {source}/{assignment}/{notebook}.ipynb: solutions/ and notebooks/ mirror each
# other.
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"

# Student versions: without the note that a solution notebook is one, nbgrader's own steps, then
# drop saved widget state (nbgrader keeps it) and other editor metadata, so that notebooks/ never
# depends on how a solution was last saved.
c.GenerateAssignment.preprocessors = [
    DropSolutionNotes,
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

# Collecting from the exchange: ordinary files only (nbgrader's own copy follows a student's links).
c.ExchangeFactory.collect = SafeCollect

# Grading: every cell gets at most this long (an endless loop costs one cell, not the class);
# a deleted or edited test cell is put back from the gradebook before the notebook runs.
c.Execute.timeout = 120  # the slowest cell (training in 09) takes ~20 s on a busy 2-core machine
c.Execute.interrupt_on_timeout = True
c.OverwriteCells.add_missing_cells = True
c.LimitOutput.max_lines = 200       # a huge print is cut short ...
c.LimitOutput.max_traceback = 60    # ... and so is a runaway traceback

# Student code is untrusted. JudgedExecute (nbgrader's Execute in its place) starts each kernel in
# a sandbox: bubblewrap with an allowlisted view (Python, course_lib, a private size-limited
# scratch; not the notebook under grading), no network, no other processes, a seccomp filter, an
# unprivileged user id of its own, a cgroup and setrlimit limits (course_lib/grading/sandbox/;
# `isolation_report()` says what this machine can do). Test cells never run in the kernel: a trusted judge process runs them and calls
# the submission's functions with plain data (course_lib/grading/judge/), so redefining numpy, the
# checks or builtins in the notebook earns nothing, and the hidden tests never reach the kernel.
c.Autograde.autograde_preprocessors = [
    JudgedExecute,
    nbg.IgnorePattern,
    ClearMetadataPreprocessor,
    nbg.LimitOutput,
    nbg.SaveAutoGrades,
    nbg.AssignLatePenalties,
    nbg.CheckCellMetadata,
]
c.SandboxedKernelManager.cpu_seconds = 600       # per kernel (a whole notebook)
c.SandboxedKernelManager.memory_bytes = 4 << 30  # address space
c.SandboxedKernelManager.processes = 256         # processes and threads of the sandbox user
c.SandboxedKernelManager.file_bytes = 64 << 20   # largest file a notebook may write
c.SandboxedKernelManager.disk_bytes = 256 << 20  # all it writes: working folder, /tmp, home
c.SandboxedKernelManager.cpu_cores = 1.0         # of the machine's cores, for all its processes

# Feedback: nbgrader would show the hidden tests, and a traceback would still quote them.
# (nbgrader's ClearHiddenTests also stops on its marker typed into an answer: ours reads only the
# test cells.)
c.GenerateFeedback.preprocessors = [
    nbg.GetGrades,
    ClearHiddenTestsOfTests,
    ShortenTestErrors,
    CSSHTMLHeaderPreprocessor,
]
# The student's HTML and JavaScript (in outputs, Markdown answers, file names) must not come alive
# in the page: nbconvert's sanitizer shows it as text, and the page's Content-Security-Policy lets
# no script run at all (course_lib/grading/feedback_templates/course_feedback).
c.GenerateFeedback.HTMLExporter.sanitize_html = True
c.GenerateFeedback.HTMLExporter.template_name = "course_feedback"
c.GenerateFeedback.HTMLExporter.template_file = "feedback.html.j2"
c.GenerateFeedback.HTMLExporter.extra_template_basedirs = feedback_template_dirs()
c.GenerateFeedback.HTMLExporter.filters = {
    "safe_html": "course_lib.grading.nbgrader_plugins.safe_html",
    "feedback_language": "course_lib.grading.nbgrader_plugins.feedback_language",
    "hidden_output_note": "course_lib.grading.nbgrader_plugins.hidden_output_note"}
