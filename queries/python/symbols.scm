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
