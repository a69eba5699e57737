using System;
using System.Collections.Generic;
using System.Linq;
using KdDsl.Data;
using KdDsl.Matching;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>What a distillation phase trains and reads: everything the loop needs besides the declared terms.</summary>
/// <param name="Experiment">The experiment's name (checkpoints are refused when written by another).</param>
/// <param name="Student">The student; trained in place.</param>
/// <param name="Teacher">Where the teacher's outputs come from; null when no term reads them.</param>
/// <param name="Train">The training split.</param>
/// <param name="Evaluation">The split the student's accuracy is measured on after every epoch.</param>
/// <param name="EvaluationSplit">Its name, "validation" or "test".</param>
/// <param name="Settings">Epochs, batches, optimizer, schedule, seed.</param>
/// <param name="Device">The training device.</param>
/// <param name="Progress">Receives every step (and, when it also implements <c>IProgress&lt;EpochEvaluation&gt;</c>, every epoch's accuracy).</param>
/// <param name="Checkpoint">With a path: resume after the last completed epoch found there, save atomically after every epoch.</param>
/// <param name="Matcher">With layer matching: the HiddenStates term, whose projections train with the student.</param>
/// <param name="Trains">
/// The student parameters this phase trains, as name prefixes (<c>"blocks.0"</c>: <c>blocks.0.*</c>); the others are frozen
/// for the phase. Null: the whole student.
/// </param>
public sealed record DistillationPhase(
    string Experiment,
    nn.Module<Tensor, Tensor> Student,
    TeacherSource? Teacher,
    LabeledDataset Train,
    LabeledDataset Evaluation,
    string EvaluationSplit,
    TrainingSettings Settings,
    Device Device,
    IProgress<TrainingProgress>? Progress,
    string? Checkpoint,
    HiddenStateMatcher? Matcher = null,
    IReadOnlyList<string>? Trains = null);

/// <summary>
/// What the loop produced: per completed epoch, the mean total, the mean of each term (unweighted) and the student's accuracy
/// after it (one row each), and the epoch after which it resumed from its checkpoint (0: from scratch).
/// </summary>
public sealed record DistillationOutcome(IReadOnlyList<double[]> Epochs, int ResumedAfterEpoch);

/// <summary>
/// The distillation loop, the same for every experiment: epochs of seeded batch orders, one optimizer step per batch on the
/// weighted sum of the declared terms, every step in a dispose scope and the steps of an epoch in one no-GC region, every term
/// checked for NaN/Inf before the step, the student's accuracy after each epoch, and checkpoint/resume. Only the terms differ
/// between experiments; the generator writes them (<see cref="LossTerms"/>).
/// </summary>
public static class DistillationLoop
{
    /// <summary>Runs <paramref name="phase"/> with <paramref name="terms"/>.</summary>
    public static DistillationOutcome Run(DistillationPhase phase, LossTerms terms)
    {
        var (student, train, settings, device) = (phase.Student, phase.Train, phase.Settings, phase.Device);
        int steps = Batches.StepsPerEpoch(train.Count, settings.BatchSize);
        var matcher = phase.Matcher;
        var batch = new StepBatch
        {
            StudentStates = matcher?.Map.StudentCapture(),
            TeacherStates = matcher?.Map.TeacherCapture(),
        };
        var (trained, frozen) = TrainedParameters.Split(student, phase.Trains, phase.Experiment);
        var optimized = matcher is null ? trained : trained.Concat(matcher.parameters());
        using var optimization = OptimizationStep.Create(settings, optimized, steps);
        using var freeze = TrainedParameters.Freeze(frozen);
        var history = new List<double[]>(settings.Epochs);
        int termCount = terms.Names.Count;
        var termTensors = new Tensor[termCount];
        var termValues = new double[termCount]; // reused by every step and progress report
        var sums = new double[termCount];
        if (settings.Augmentation is not null && phase.Teacher is { ReadsCache: true })
            throw new InvalidOperationException(
                "[Augment] changes every training batch, so the teacher-output cache (outputs for the un-augmented inputs) would be stale; " +
                "run the teacher live (remove CacheOutputs) or remove [Augment] (KD0045).");
        phase.Teacher?.Prepare();
        student.train();

        int resumedAfterEpoch = 0;
        if (DistillationCheckpoint.Exists(phase.Checkpoint))
        {
            var resumed = DistillationCheckpoint.Load(phase.Checkpoint!, phase.Experiment, settings, student, optimization, matcher);
            resumedAfterEpoch = Math.Min(resumed.CompletedEpochs, settings.Epochs);
            for (int i = 0; i < resumedAfterEpoch; i++) history.Add(resumed.History[i]);
        }

        for (int epoch = resumedAfterEpoch + 1; epoch <= settings.Epochs; epoch++)
        {
            double totalSum = 0;
            Array.Clear(sums);
            using var order = Batches.EpochOrder(train.Count, settings.Seed, epoch);
            for (int step = 1; step <= steps; step++)
            {
                using var scope = NewDisposeScope();
                using var noGc = NoGcRegion.Enter(); // TorchSharp's implicit Scalars must not be finalized mid-call
                batch.Indices = Batches.Indices(order, step - 1, settings.BatchSize);
                (batch.Inputs, batch.Labels) = Batches.Take(train, batch.Indices, device);
                // The student and a live teacher see the same augmented batch.
                if (settings.Augmentation is { } augmentation) batch.Inputs = augmentation.Apply(batch.Inputs, settings.Seed, epoch, step);
                if (phase.Teacher is { } teacher) teacher.Fill(batch);
                batch.StudentLogits = batch.StudentStates is { } captured
                    ? LayerCapture.Forward((ILayeredModule)student, batch.Inputs, captured)
                    : student.call(batch.Inputs);
                terms.Compute(batch, termTensors);
                // Read every term (and stop on NaN/Inf) before the step, so a bad step never reaches the weights.
                for (int i = 0; i < termCount; i++)
                    termValues[i] = LossGuard.Finite(termTensors[i], TrainingPhase.Distillation, terms.Names[i], epoch, step);
                double totalValue = terms.TotalValue(termValues);
                optimization.Apply(terms.Total(termTensors), step, steps);
                totalSum += totalValue;
                for (int i = 0; i < termCount; i++) sums[i] += termValues[i];
                phase.Progress?.Report(new TrainingProgress(TrainingPhase.Distillation, epoch, settings.Epochs, step, steps, totalValue,
                    terms.Names, termValues));
                Array.Clear(termTensors); // the scope disposes them; nothing keeps them past the step
            }
            NoGcRegion.Leave(); // the steps' shared no-GC region ends before evaluation and checkpoint
            double accuracy = Evaluation.Accuracy(student, phase.Evaluation, settings.BatchSize, device); // once per epoch, after its steps
            var row = new double[termCount + 2];
            row[0] = totalSum / steps;
            for (int i = 0; i < termCount; i++) row[i + 1] = sums[i] / steps;
            row[^1] = accuracy;
            history.Add(row);
            if (phase.Checkpoint is not null)
                DistillationCheckpoint.Save(phase.Checkpoint, phase.Experiment, settings, epoch, history, student, optimization, matcher);
            if (phase.Progress is IProgress<EpochEvaluation> evaluations)
                evaluations.Report(new EpochEvaluation(TrainingPhase.Distillation, epoch, settings.Epochs, accuracy, phase.EvaluationSplit));
        }
        return new DistillationOutcome(history, resumedAfterEpoch);
    }
}
