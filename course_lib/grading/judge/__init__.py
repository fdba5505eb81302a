"""The trusted judge: test cells run here, outside the student's kernel.

- `trusted`  the judge process: runs a test cell, calls student functions over the wire
- `agent`    the small server inside the student's kernel that answers those calls
- `wire`     the framed protocol between them: plain data, handles for everything else
"""
