"""Command modules beyond the core ones; each registers its commands on flashprep.cli.app
(flashprep.main imports this package to register them all).

Each module keeps heavy imports inside its command functions, so importing this
package stays cheap.
"""

from flashprep.commands import (
    cards,  # noqa: F401
    doctor,  # noqa: F401
    exercises,  # noqa: F401
    export,  # noqa: F401
    generate,  # noqa: F401
    importing,  # noqa: F401
    mock,  # noqa: F401
    plan,  # noqa: F401
    review,  # noqa: F401
    shell,  # noqa: F401
    stats,  # noqa: F401
)
