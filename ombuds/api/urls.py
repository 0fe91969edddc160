from ombuds.api import cases, catalog, evidence, filing, me, parties, reports
from ombuds.api.auth import BearerToken
from ombuds.api.bodies import CheckedJsonParser
from ombuds.api.docs import SelfHostedSwagger
from ombuds.api.openapi import ProblemAwareAPI
from ombuds.api.problems import install_problem_handlers

api = ProblemAwareAPI(
    title="Ombuds API",
    version="1",
    description="File and follow complaints, reports and disputes; sync the marketplace "
    "directory. Errors are RFC 9457 problem details.",
    auth=BearerToken(),
    parser=CheckedJsonParser(),
    docs=SelfHostedSwagger(),
    urls_namespace="api",
)
install_problem_handlers(api)
for module in (me, catalog, evidence, filing, reports, parties, cases):
    api.add_router("", module.router)
