"""An import-linter contract of our own (used by .importlinter, run by `make lint`).

"Services never import FastAPI or Starlette": every module of `contest` outside the
route layer (the app, the CLI, core/web, and each feature's api, pages and deps) may
import neither a web framework nor a route module. Only direct imports need checking:
an indirect chain always starts with one such direct import.
"""

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output
from importlinter.domain.helpers import module_expressions_to_modules


class RouteLayerContract(Contract):
    type_name = "routes_apart"

    route_modules = fields.ListField(subfield=fields.ModuleExpressionField())
    web_packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        routes = self._route_layer(graph)
        forbidden = routes | set(self.web_packages)  # type: ignore[arg-type]
        violations = []
        for module in sorted(graph.find_descendants("contest") | {"contest"}):
            if module in routes:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(module)):
                if imported in forbidden:
                    violations.append(self._detail(graph, module, imported))
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def _route_layer(self, graph: ImportGraph) -> set[str]:
        tops = module_expressions_to_modules(graph, self.route_modules)  # type: ignore[arg-type]
        layer = set()
        for top in tops:
            layer.add(top.name)
            layer |= graph.find_descendants(top.name) if top.name in graph.modules else set()
        return layer

    @staticmethod
    def _detail(graph: ImportGraph, importer: str, imported: str) -> str:
        lines = sorted(
            d["line_number"]
            for d in graph.get_import_details(importer=importer, imported=imported)
        )
        where = ", ".join(f"l.{n}" for n in lines)
        return f"{importer} -> {imported} ({where})"

    def render_broken_contract(self, check: ContractCheck) -> None:
        for violation in check.metadata["violations"]:
            output.print_error(f"- {violation}", bold=False)
        output.new_line()
