# SPDX-License-Identifier: MIT
"""The OMNeT++ backend: a Scenario rendered into NED + ini and run by opp_run with INET."""
