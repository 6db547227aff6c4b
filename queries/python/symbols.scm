; Definitions Keel indexes and offers as context. @definition.<kind> is the whole
; definition (its range and signature come from it); @name is what it is looked up by.

(function_definition
  name: (identifier) @name) @definition.function

(class_definition
  name: (identifier) @name) @definition.class

; Module-level assignments: constants, settings, type aliases, app objects.
(module
  (expression_statement
    (assignment
      left: (identifier) @name)) @definition.constant)

(module
  (expression_statement
    (assignment
      left: (pattern_list (identifier) @name))) @definition.constant)

; Class attributes (dataclass and ORM fields).
(class_definition
  body: (block
    (expression_statement
      (assignment
        left: (identifier) @name)) @definition.field))

; Names a module's imports make part of it (`from .engine import Engine as Engine` in a
; package's __init__.py): offered with the module's own definitions to an import of it.
; @reexport is the name the definition has.
(module
  (import_from_statement
    name: [(dotted_name) @reexport
           (aliased_import name: (dotted_name) @reexport)]))

; The same under a module-level `if` (`if TYPE_CHECKING or not HAS_CYEXTENSION:`) or `try`
; (`try: from ._speedups import x` / `except ImportError: from ._py import x`), in any of
; its branches: the name is part of the module whichever branch runs. The text test keeps
; out the other statements with blocks (`def`, `class`, `with`, loops).
((module
  (_
    [(block
       (import_from_statement
         name: [(dotted_name) @reexport
                (aliased_import name: (dotted_name) @reexport)]))
     (_ (block
          (import_from_statement
            name: [(dotted_name) @reexport
                   (aliased_import name: (dotted_name) @reexport)])))]) @branching)
 (#match? @branching "^(if|try)[ :(]"))
