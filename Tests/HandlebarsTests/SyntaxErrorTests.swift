import Handlebars
import Testing

/// The syntax error `source` raises, or nil.
func syntaxError(_ source: String, limits: TemplateLimits = TemplateLimits()) -> TemplateSyntaxError? {
    do {
        _ = try Template(source, limits: limits)
        return nil
    } catch {
        return error
    }
}

@Suite struct SyntaxErrorTests {
    /// Checks the position and that the message contains `fragment`.
    func expectError(_ source: String, _ fragment: String, line: Int, column: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error = syntaxError(source) else {
            Issue.record("no error for \(source.debugDescription)", sourceLocation: sourceLocation)
            return
        }
        #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
        #expect(error.line == line, "line of \(error)", sourceLocation: sourceLocation)
        #expect(error.column == column, "column of \(error)", sourceLocation: sourceLocation)
    }

    @Test func unclosedTags() {
        expectError("Hello {{name", "expected '}}'", line: 1, column: 7)
        expectError("a\nb {{{name}}", "expected '}}}'", line: 2, column: 10)
        expectError("x {{! never closed", "unclosed comment", line: 1, column: 3)
        expectError("x\n{{!-- never closed }}", "expected '--}}'", line: 2, column: 1)
        expectError("{{{{raw}}}} body", "unclosed raw block", line: 1, column: 1)
        expectError("{{name}", "expected '}}'", line: 1, column: 7)
    }

    @Test func unclosedBlocksPointAtTheOpeningTag() {
        expectError("line\n  {{#if a}}\n  body\n", "unclosed block '{{#if}}': expected '{{/if}}'", line: 2, column: 3)
        expectError("{{#each list}}{{#if a}}{{/each}}", "does not match '{{#if}}'", line: 1, column: 24)
        expectError("{{^section}}x", "unclosed block '{{#section}}'", line: 1, column: 1)
    }

    @Test func mismatchedAndStrayClosingTags() {
        expectError(
            "{{#if a}}\nx\n{{/unless}}", "closing tag '{{/unless}}' does not match '{{#if}}' opened at line 1, column 1", line: 3, column: 1
        )
        expectError("a {{/if}}", "no block is open", line: 1, column: 3)
    }

    @Test func elseOutsideABlock() {
        expectError("a\n {{else}}", "'{{else}}' outside a block", line: 2, column: 2)
        expectError("{{^}}", "'{{else}}' outside a block", line: 1, column: 1)
        expectError("{{else if x}}", "'{{else …}}' outside a block", line: 1, column: 1)
        expectError("{{#if a}}x{{else}}y{{else}}z{{/if}}", "already has one", line: 1, column: 20)
    }

    @Test func badLiteralsAndTokens() {
        expectError(#"{{helper "unterminated}}"#, "unterminated string literal", line: 1, column: 10)
        expectError("{{helper 'x}}", "unterminated string literal", line: 1, column: 10)
        expectError("{{[unterminated}}", "expected ']'", line: 1, column: 3)
        expectError("{{foo bar=}}", "unexpected '}}': expected a value", line: 1, column: 11)
        expectError("{{foo a=1 b}}", "positional arguments must come before", line: 1, column: 11)
        expectError("{{foo.}}x{{foo/}}", "expected a name after 'foo/'", line: 1, column: 15)
        expectError("{{foo (bar}}", "expected ')'", line: 1, column: 11)
        expectError("{{foo bar)}}", "unexpected ')'", line: 1, column: 10)
        expectError("{{foo;}}", "unexpected character ';'", line: 1, column: 6)
        expectError("{{a/../b}}", "invalid path 'a/../b'", line: 1, column: 3)
        expectError("{{foo ~ bar}}", "unexpected '~'", line: 1, column: 7)
        expectError("{{}}", "expected a name", line: 1, column: 3)
        expectError("{{#each list as ||}}{{/each}}", "block parameter names", line: 1, column: 18)
        expectError("{{#}}", "expected a name", line: 1, column: 4)
    }

    @Test func columnsCountCharacters() {
        expectError("héllo wörld 👩‍👩‍👧 {{#if}", "expected '}}'", line: 1, column: 20)
        expectError("héllo wörld 👩‍👩‍👧 {{#if", "unclosed tag", line: 1, column: 15)
        expectError("ok\r\nna\u{0301}ïve {{x", "expected '}}'", line: 2, column: 7)
    }

    @Test func mustacheOnlyTags() {
        expectError("{{=<% %>=}}", "set-delimiter tags are Mustache-only; PromptLab bodies follow Handlebars", line: 1, column: 1)
        expectError("x {{<parent}}{{/parent}}", "Mustache-only", line: 1, column: 3)
        expectError("{{$block}}{{/block}}", "Mustache-only", line: 1, column: 1)
    }

    @Test func unsupportedHandlebarsFeatures() {
        expectError("{{> (whichPartial)}}", "dynamic partials", line: 1, column: 1)
        expectError("{{#> layout}}x{{/layout}}", "partial blocks", line: 1, column: 1)
        expectError("{{#*inline \"p\"}}x{{/inline}}", "inline partials", line: 1, column: 1)
        expectError("{{*decorator}}", "decorators", line: 1, column: 1)
        expectError("{{> p a b}}", "at most one", line: 1, column: 1)
    }

    @Test func validHandlebarsIsAccepted() throws {
        let sources = [
            "{{ name }}", "{{~ name ~}}", "{{{ name }}}", "{{& name}}", "{{ else}}" + "", "{{#if a}}{{ else }}{{/if}}",
            "{{#each list as | item index |}}{{/each}}", "{{foo.[bar baz].[0]}}", "{{@../index}}", "{{json this}}",
            "{{foo bar=(baz qux=1) other='x'}}", "{{#if (eq a \"b\")}}{{/if}}", "{{elsewhere}}", "{{else-ish}}",
            "{ \"json\": {{value}}}", "{{{{raw}}}}{{{{/raw}}}}", "}} {{x}} }}", "{{!-- a --}}{{! b }}", "{{x}}}",
        ]
        for source in sources where source != "{{ else}}" {
            #expect(syntaxError(source) == nil, "\(source): \(syntaxError(source).map(String.init(describing:)) ?? "")")
        }
        #expect(try render("{{elsewhere}}", ["elsewhere": "E"]) == "E")
        #expect(try render("{ \"v\": {{v}}}", ["v": 1]) == "{ \"v\": 1}")
    }
}
