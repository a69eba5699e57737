using KdDsl.Matching;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>
/// Where a distillation step gets the teacher's outputs: a live forward pass (eval mode, no gradients) or the teacher-output
/// cache, read by the batch's sample indices. Either one also fills the teacher states a layer map reads.
/// </summary>
public abstract class TeacherSource
{
    private readonly double temperature;

    private protected TeacherSource(double calibrationTemperature) => temperature = calibrationTemperature;

    /// <summary>The teacher run on every batch; <paramref name="calibrationTemperature"/> T* divides its logits (1: none).</summary>
    public static TeacherSource Live(nn.Module<Tensor, Tensor> teacher, double calibrationTemperature = 1) =>
        new LiveTeacher(teacher, calibrationTemperature);

    /// <summary>The teacher's outputs read from <paramref name="outputs"/>; T* divides the logits (1: none).</summary>
    public static TeacherSource Cached(TeacherOutputs outputs, double calibrationTemperature = 1) =>
        new CachedTeacher(outputs, calibrationTemperature);

    /// <summary>
    /// The teacher's top-k logits read from <paramref name="store"/> (<c>TeacherOutputCaching.SparseTopK</c>): the batch's
    /// <see cref="StepBatch.TeacherTopK"/>; its dense <see cref="StepBatch.TeacherLogits"/> are not available. A calibrated teacher's
    /// T* was applied when the store was built.
    /// </summary>
    public static TeacherSource SparseCached(SparseTeacherStore store) => new SparseCachedTeacher(store);

    /// <summary>
    /// Several teachers (<c>[Teacher(..., Name = ...)]</c> repeated), each from its own source (live or cached): every step fills
    /// <see cref="StepBatch.Teachers"/> with each teacher's logits in order, and <see cref="StepBatch.TeacherLogits"/> with the first's.
    /// No source may capture teacher states or read the top-k store.
    /// </summary>
    public static TeacherSource Several(params TeacherSource[] teachers) => new SeveralTeachers(teachers);

    /// <summary>Whether the outputs come from the teacher-output cache (computed for the un-augmented training split).</summary>
    internal virtual bool ReadsCache => false;

    /// <summary>Called once before the first step.</summary>
    internal virtual void Prepare() { }

    /// <summary>Fills the batch's teacher logits (and teacher states, when the batch has a capture for them).</summary>
    internal virtual void Fill(StepBatch batch)
    {
        var logits = Logits(batch);
        batch.TeacherLogits = temperature == 1 ? logits : logits / temperature;
    }

    private protected abstract Tensor Logits(StepBatch batch);

    private sealed class LiveTeacher : TeacherSource
    {
        private readonly nn.Module<Tensor, Tensor> teacher;

        public LiveTeacher(nn.Module<Tensor, Tensor> teacher, double temperature) : base(temperature) => this.teacher = teacher;

        internal override void Prepare() => teacher.eval();

        private protected override Tensor Logits(StepBatch batch)
        {
            using (no_grad())
            {
                return batch.TeacherStates is { } states
                    ? LayerCapture.Forward((ILayeredModule)teacher, batch.Inputs, states)
                    : teacher.call(batch.Inputs);
            }
        }
    }

    private sealed class CachedTeacher : TeacherSource
    {
        private readonly TeacherOutputs outputs;

        public CachedTeacher(TeacherOutputs outputs, double temperature) : base(temperature) => this.outputs = outputs;

        internal override bool ReadsCache => true;

        private protected override Tensor Logits(StepBatch batch)
        {
            var logits = outputs.Take(batch.Indices);
            if (batch.TeacherStates is { } states) outputs.TakeStates(batch.Indices, states);
            return logits;
        }
    }

    private sealed class SparseCachedTeacher : TeacherSource
    {
        private readonly SparseTeacherStore store;

        public SparseCachedTeacher(SparseTeacherStore store) : base(1) => this.store = store ?? throw new System.ArgumentNullException(nameof(store));

        internal override bool ReadsCache => true;

        internal override void Fill(StepBatch batch) => batch.TeacherTopK = store.Take(batch.Indices);

        private protected override Tensor Logits(StepBatch batch) =>
            throw new System.InvalidOperationException("The top-k teacher store holds no dense teacher logits.");
    }

    private sealed class SeveralTeachers : TeacherSource
    {
        private readonly TeacherSource[] teachers;
        private readonly Tensor[] logits;

        public SeveralTeachers(TeacherSource[] teachers) : base(1)
        {
            System.ArgumentNullException.ThrowIfNull(teachers);
            if (teachers.Length == 0) throw new System.ArgumentException("Several teachers need at least one source.", nameof(teachers));
            foreach (var source in teachers)
            {
                if (source is null or SparseCachedTeacher or SeveralTeachers)
                    throw new System.ArgumentException("Each teacher of several is a live or cached dense source.", nameof(teachers));
            }
            this.teachers = teachers;
            logits = new Tensor[teachers.Length];
        }

        internal override bool ReadsCache => System.Array.Exists(teachers, t => t.ReadsCache);

        internal override void Prepare()
        {
            foreach (var teacher in teachers) teacher.Prepare();
        }

        internal override void Fill(StepBatch batch)
        {
            if (batch.TeacherStates is not null)
                throw new System.InvalidOperationException("Layer matching reads one teacher's states; several teachers do not capture them.");
            for (int i = 0; i < teachers.Length; i++)
            {
                teachers[i].Fill(batch);
                logits[i] = batch.TeacherLogits;
            }
            batch.TeacherLogits = logits[0];
            batch.Teachers = logits; // the same array every step; its tensors belong to the step's dispose scope
        }

        private protected override Tensor Logits(StepBatch batch) => throw new System.InvalidOperationException("Several teachers fill the batch themselves.");
    }
}
