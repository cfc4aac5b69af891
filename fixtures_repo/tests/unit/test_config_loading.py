"""The application configuration as the tests see it."""
import unittest

from test_framework.fixtures.config_fixtures import get_config


class TestConfigLoading(unittest.TestCase):
    def test_the_configuration_is_loaded_once(self):
        self.assertIs(get_config(), get_config())


if __name__ == "__main__":
    unittest.main()
