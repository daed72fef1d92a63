"""Permission-matrix rows by app; see tests/test_permission_matrix.py.

Each module defines ROWS: dict[url_name, Row], built with the helpers of that module
(`only`, `ref`, `yp`, actor sets) from tests/matrix.py:
`from tests.matrix import Row, only, FULL, ...`.
"""
