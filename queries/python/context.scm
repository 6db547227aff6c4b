; What the context builder needs besides definitions.
; @scope: a node whose header (signature) frames the code inside it.
; @import: an import statement, shown to the model as it is; @module: the module it names.

(function_definition) @scope
(class_definition) @scope

(import_statement
  name: [(dotted_name) @module
         (aliased_import name: (dotted_name) @module)]) @import

(import_from_statement
  module_name: [(dotted_name) (relative_import)] @module) @import

(future_import_statement) @import
