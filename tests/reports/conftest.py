import pytest

from reports.scope import Scope

from .world import MONDAY, SUNDAY, build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def week(world):
    """The fixture week at both sites."""
    return Scope(MONDAY, SUNDAY, (world.irvine, world.san_diego))
