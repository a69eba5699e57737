using System;
using System.Collections.Generic;
using System.Diagnostics;
using KdDsl.Training;

namespace KdDsl.Benchmarks;

/// <summary>
/// Times one training phase from its per-step progress reports: a step's time is the interval between the report of the
/// step before it and its own report (so the first step of each epoch, which has no report before it in the same epoch, is
/// not timed); an epoch's time is the interval between two consecutive end-of-epoch reports (so the first epoch is not timed).
/// The generated loops report after every step; the hand-written loop calls <see cref="Report(TrainingProgress)"/> at the
/// same point. The generated distillation loop also evaluates the student after every epoch and then sends an
/// <see cref="EpochEvaluation"/>: the next epoch is timed from that report, so the per-epoch evaluation (which the
/// hand-written loop does not do) is left out of epoch times, as it is out of step times; its own duration is kept in
/// <see cref="EvaluationMs"/>.
/// </summary>
internal sealed class StepClock(TrainingPhase phase) : IProgress<TrainingProgress>, IProgress<EpochEvaluation>
{
    private long previous;
    private int previousEpoch = -1;
    private long? epochEnd;

    public List<double> StepMs { get; } = new();

    public List<double> EpochMs { get; } = new();

    public List<double> EvaluationMs { get; } = new();

    public void Report(EpochEvaluation value)
    {
        if (value.Phase != phase) return;
        long now = Stopwatch.GetTimestamp();
        if (epochEnd is { } end) EvaluationMs.Add(Stopwatch.GetElapsedTime(end, now).TotalMilliseconds);
        epochEnd = now;
    }

    public void Report(TrainingProgress value)
    {
        if (value.Phase != phase) return;
        long now = Stopwatch.GetTimestamp();
        if (value.Step > 1 && value.Epoch == previousEpoch)
            StepMs.Add(Stopwatch.GetElapsedTime(previous, now).TotalMilliseconds);
        if (value.Step == value.StepsPerEpoch)
        {
            if (epochEnd is { } end) EpochMs.Add(Stopwatch.GetElapsedTime(end, now).TotalMilliseconds);
            epochEnd = now;
        }
        previous = now;
        previousEpoch = value.Epoch;
    }
}
