using KdDsl.Matching;
using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>
/// One training step's batch as the declared loss terms see it: the inputs and labels, the teacher's logits (when a term reads
/// them), the student's logits and, with layer matching, the hidden states both forward passes captured. The loop fills it
/// anew every step, inside the step's dispose scope; a term must not keep a reference to it.
/// </summary>
public sealed class StepBatch
{
    private Tensor? teacherLogits;
    private Losses.SparseTeacherLogits? teacherTopK;

    /// <summary>The sample indices of this batch in the training split.</summary>
    public Tensor Indices { get; internal set; } = null!;

    /// <summary>The batch's inputs, on the training device.</summary>
    public Tensor Inputs { get; internal set; } = null!;

    /// <summary>The batch's labels (int64 class indices), on the training device.</summary>
    public Tensor Labels { get; internal set; } = null!;

    /// <summary>The student's logits for <see cref="Inputs"/> (with gradients).</summary>
    public Tensor StudentLogits { get; internal set; } = null!;

    /// <summary>The teacher's logits for <see cref="Inputs"/> (no gradients; divided by T* for a calibrated teacher).</summary>
    public Tensor TeacherLogits
    {
        get => teacherLogits ?? throw new System.InvalidOperationException("No term of this experiment reads the teacher's logits.");
        internal set => teacherLogits = value;
    }

    /// <summary>
    /// With several teachers (<c>[Teacher(..., Name = ...)]</c> repeated): each teacher's logits, in declaration order (no gradients);
    /// <see cref="TeacherLogits"/> is then the first teacher's. Empty with one teacher.
    /// </summary>
    public System.Collections.Generic.IReadOnlyList<Tensor> Teachers { get; internal set; } = System.Array.Empty<Tensor>();

    /// <summary>With several teachers: teacher <paramref name="index"/>'s logits (declaration order).</summary>
    public Tensor TeacherLogitsOf(int index) =>
        index >= 0 && index < Teachers.Count ? Teachers[index]
        : throw new System.ArgumentOutOfRangeException(nameof(index), index, $"The batch holds the logits of {Teachers.Count} teachers.");

    /// <summary>
    /// With the top-k teacher store (<c>TeacherOutputCaching.SparseTopK</c>): the batch's top-k teacher logits, their class indices and
    /// normalisers, in the step's dispose scope.
    /// </summary>
    public Losses.SparseTeacherLogits TeacherTopK
    {
        get => teacherTopK ?? throw new System.InvalidOperationException("This experiment does not read the top-k teacher store.");
        internal set => teacherTopK = value;
    }

    /// <summary>With layer matching: the student states the layer map reads.</summary>
    public CapturedStates? StudentStates { get; internal set; }

    /// <summary>With layer matching: the teacher states the layer map reads.</summary>
    public CapturedStates? TeacherStates { get; internal set; }
}
