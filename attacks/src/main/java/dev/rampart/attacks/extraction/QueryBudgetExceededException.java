package dev.rampart.attacks.extraction;

/** A probe asked for more queries than its budget; no query beyond the budget reached the victim. */
public final class QueryBudgetExceededException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    QueryBudgetExceededException(long budget, long spent, long asked) {
        super("query budget " + budget + " exceeded: " + spent + " spent, " + asked + " more asked");
    }
}
