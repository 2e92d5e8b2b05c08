package dev.rampart.core.memory;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J workspaces for Rampart's loops. An array made outside a workspace is native memory that is
 * freed only when the garbage collector finds its Java object, so a loop that makes new arrays at
 * every step grows the process's resident memory between collections and pays for fresh pages
 * each time. Inside a workspace scope, arrays are carved from one block that is reused each time
 * the scope is entered again: memory stays flat from the first iterations and allocation is
 * almost free.
 *
 * <p>The rule of use: an array made inside a scope is valid until the scope closes. Scopes nest:
 * an attack run enters a {@link #BATCH} scope per batch, where the batch's inputs, iterates and
 * bounds are made; each iteration enters a {@link #LOOP} scope inside it for its temporaries, and
 * updates the batch's arrays in place; a model's forward and backward pass runs in a
 * {@link #PASS} scope inside that, and hands its results to the enclosing scope with
 * {@code leverage()} (or, with no enclosing scope, as ordinary arrays). Only what leaves the run
 * (its result) is made outside every scope.
 *
 * <pre>{@code
 * INDArray xAdv = x.dup();                         // outlives the loop: made outside
 * for (int t = 0; t < steps; t++) {
 *     try (MemoryWorkspace ws = Workspaces.loop()) {
 *         INDArray g = model.lossGradient(xAdv, y); // lands in the loop's workspace
 *         xAdv.addi(Transforms.sign(g, false).muli(alpha));
 *     }
 * }
 * }</pre>
 */
public final class Workspaces {

    /** The workspace of one batch of an attack run: its clean inputs, iterates and bounds. */
    public static final String BATCH = "RAMPART_BATCH";
    /** The workspace of attack and training loops. */
    public static final String LOOP = "RAMPART_LOOP";
    /** The workspace of one forward (and backward) pass of a compiled model. */
    public static final String PASS = "RAMPART_PASS";

    /**
     * Grows to the size the first cycle needed plus 20%, reused from its start at every entry;
     * a cycle that needs more spills to ordinary memory, and the next cycle reallocates.
     */
    public static final WorkspaceConfiguration CONFIGURATION = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.OVERALLOCATE).overallocationLimit(0.2)
            .policyLearning(LearningPolicy.FIRST_LOOP).policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE).build();

    /** Whether Rampart uses workspaces (on unless {@code -Drampart.noWorkspace=true}, for comparisons). */
    public static final boolean ENABLED = !Boolean.getBoolean("rampart.noWorkspace");

    private Workspaces() {
    }

    /** Enters this thread's loop workspace; close it at the end of the iteration. */
    public static MemoryWorkspace loop() {
        return scope(LOOP);
    }

    /** Enters this thread's workspace {@code id} (a no-op scope when workspaces are off). */
    public static MemoryWorkspace scope(String id) {
        if (!ENABLED) {
            return Nd4j.getWorkspaceManager().scopeOutOfWorkspaces();
        }
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIGURATION, id);
    }

    /**
     * {@code a} moved to the workspace enclosing the current one (or made an ordinary array when
     * there is none), as a scope hands its result out. Use it instead of ND4J's
     * {@code INDArray.leverage()}: in ND4J 1.0.0-M2.1 that method allocates the copy in the
     * default data type (float) and copies the array's bytes into it, so a double (or long) array
     * overruns the copy, which crashed the JVM when a double-precision model was attacked.
     */
    public static INDArray leverage(INDArray a) {
        if (!a.isAttached()) {
            return a;
        }
        MemoryWorkspace current = Nd4j.getMemoryManager().getCurrentWorkspace();
        MemoryWorkspace parent = current == null ? null : current.getParentWorkspace();
        if (parent == null) {
            return a.detach();
        }
        if (a.data().getParentWorkspace() == parent) {
            return a;
        }
        return a.leverageTo(parent.getId());
    }

    /**
     * Leaves every workspace until closed: arrays made inside are ordinary arrays that outlive
     * any scope, as results handed to users must.
     */
    public static MemoryWorkspace outside() {
        return Nd4j.getWorkspaceManager().scopeOutOfWorkspaces();
    }
}
