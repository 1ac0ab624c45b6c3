package dev.signedmail.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class StrictVariableEvaluatorTest {

    @Test
    void findsRootIdentifiersOnly() {
        assertEquals(List.of("release"), StrictVariableEvaluator.rootIdentifiers("release.title"));
        assertEquals(List.of(), StrictVariableEvaluator.rootIdentifiers("#strings.isEmpty('a b.c')"));
        assertEquals(List.of("x"), StrictVariableEvaluator.rootIdentifiers("#strings.isEmpty(x)"));
        assertEquals(List.of("a", "b"), StrictVariableEvaluator.rootIdentifiers("a.b != null and b gt 1.5e3"));
        assertEquals(List.of("list"), StrictVariableEvaluator.rootIdentifiers("list.{name}"));
        assertEquals(List.of("list"), StrictVariableEvaluator.rootIdentifiers("list.{? #this.size > max}"));
        assertEquals(List.of("m"), StrictVariableEvaluator.rootIdentifiers("m['key with release'].v"));
        assertEquals(List.of(), StrictVariableEvaluator.rootIdentifiers("true ? null : 'x\\'y'"));
    }
}
