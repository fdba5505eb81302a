"""The grading system the instructor runs; no module of the teaching library imports it.

- `course`            the course directory: its nbgrader config, the nbgrader API, assignments
- `cli`               the instructor's commands (`course-instructor`)
- `submission_check`  what every submission goes through before nbgrader sees it
- `autograding`       one process per submission, with a time limit; the outcomes
- `engines`           where the gradings run (processes, Dask) and the gradebook's database
- `nbgrader_plugins`  the preprocessors nbgrader_config.py plugs in (the judged execution)
- `judge`             the trusted judge that runs the test cells outside the student's kernel
- `sandbox`           the kernel's isolation: its own user, namespaces and limits
- `report`            grades as CSV and the class report
- `lms_zip`           submissions from a learning-management system's zip download
- `practice_class`    a class of made-up students for trying the workflow
- `translation`       the Korean editions of the notebooks, from gettext catalogs
- `language`          the language of what grading writes (the assignment's, the course's)
- `catalogs`          the gettext catalogs of the checks' and the grading system's texts
"""
