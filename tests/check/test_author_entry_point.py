"""What a ruleset author writes: one import, one line (see README, 规则集作者的测试)."""

from junheng.testing import ruleset_tests

test_anhui_2018 = ruleset_tests("anhui/school-2018", against="anhui/school-2007", expect="tighter", examples=15)
