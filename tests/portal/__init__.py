"""Tests of the base: accounts, configuration, the stack, supervision, i18n."""
