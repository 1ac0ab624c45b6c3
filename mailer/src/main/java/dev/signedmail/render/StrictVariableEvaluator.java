package dev.signedmail.render;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import org.thymeleaf.context.IExpressionContext;
import org.thymeleaf.context.ITemplateContext;
import org.thymeleaf.exceptions.TemplateProcessingException;
import org.thymeleaf.standard.expression.IStandardVariableExpression;
import org.thymeleaf.standard.expression.IStandardVariableExpressionEvaluator;
import org.thymeleaf.standard.expression.StandardExpressionExecutionContext;

/**
 * Thymeleaf's variable evaluator, but an unknown variable is an error instead of an empty string.
 *
 * <p>Before handing a {@code ${…}} expression to OGNL, every identifier that OGNL would look up in
 * the context (the root of a property chain, not a property after a dot, not a {@code #utility}
 * object, not a literal or operator keyword) must be a variable of the context: a model variable
 * or a local one from th:each / th:with. Unknown properties of a known variable already fail in
 * OGNL. {@code *{…}} under a th:object is evaluated against that object and is not checked here.
 */
final class StrictVariableEvaluator implements IStandardVariableExpressionEvaluator {

    /** Thrown for an unknown variable; Thymeleaf fills in the template name and line. */
    static final class UnknownVariableException extends TemplateProcessingException {
        private final String variable;

        UnknownVariableException(String variable) {
            super("unknown variable '" + variable + "'");
            this.variable = variable;
        }

        String variable() {
            return variable;
        }
    }

    private static final Set<String> KEYWORDS = Set.of(
            "true", "false", "null", "this", "new", "instanceof", "in", "not", "and", "or",
            "eq", "neq", "lt", "lte", "gt", "gte", "shl", "shr", "ushr", "band", "bor", "xor");

    private final IStandardVariableExpressionEvaluator delegate;

    /**
     * While set (on this thread), sees every expression evaluated: {@link Stamp} uses it to learn
     * whether the templates use per-subscriber values only as plain output.
     */
    static final ThreadLocal<java.util.function.Consumer<String>> OBSERVER = new ThreadLocal<>();

    StrictVariableEvaluator(IStandardVariableExpressionEvaluator delegate) {
        this.delegate = delegate;
    }

    @Override
    public Object evaluate(
            IExpressionContext context,
            IStandardVariableExpression expression,
            StandardExpressionExecutionContext expContext) {
        boolean onSelection = expression.getUseSelectionAsRoot()
                && context instanceof ITemplateContext templateContext
                && templateContext.hasSelectionTarget();
        java.util.function.Consumer<String> observer = OBSERVER.get();
        if (observer != null) {
            observer.accept(onSelection ? "*{" + expression.getExpression() + "}" : expression.getExpression());
        }
        if (!onSelection) {
            for (String name : rootIdentifiers(expression.getExpression())) {
                if (!context.containsVariable(name)) {
                    throw new UnknownVariableException(name);
                }
            }
        }
        return delegate.evaluate(context, expression, expContext);
    }

    /**
     * The identifiers in an OGNL expression that are looked up in the root (the context), in order.
     * Skips string and char literals, numbers, keywords, names after '.', '#' or '@', method calls,
     * and everything inside a projection or selection {@code .{…}} (evaluated against each element).
     */
    static List<String> rootIdentifiers(String expression) {
        List<String> names = new ArrayList<>();
        if (expression == null) {
            return names;
        }
        Deque<Boolean> braces = new ArrayDeque<>(); // true = projection/selection: not root-relative
        int n = expression.length();
        char previous = ' '; // last non-blank character outside identifiers
        int i = 0;
        while (i < n) {
            char c = expression.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                i = skipQuoted(expression, i, c);
                previous = c;
            } else if (Character.isDigit(c)) {
                while (i < n && (Character.isLetterOrDigit(expression.charAt(i)) || expression.charAt(i) == '.')) {
                    i++;
                }
                previous = '0';
            } else if (Character.isJavaIdentifierStart(c)) {
                int start = i;
                while (i < n && Character.isJavaIdentifierPart(expression.charAt(i))) {
                    i++;
                }
                String name = expression.substring(start, i);
                boolean inProjection = braces.contains(Boolean.TRUE);
                boolean qualified = previous == '.' || previous == '#' || previous == '@';
                if (!inProjection && !qualified && !KEYWORDS.contains(name) && !isCall(expression, i)) {
                    names.add(name);
                }
                previous = 'a';
            } else {
                if (c == '{') {
                    braces.push(previous == '.');
                } else if (c == '}' && !braces.isEmpty()) {
                    braces.pop();
                }
                if (!Character.isWhitespace(c)) {
                    previous = c;
                }
                i++;
            }
        }
        return names;
    }

    private static int skipQuoted(String s, int start, char quote) {
        int i = start + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == quote) {
                return i + 1;
            } else {
                i++;
            }
        }
        return i;
    }

    private static boolean isCall(String s, int afterName) {
        int i = afterName;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i < s.length() && s.charAt(i) == '(';
    }
}
