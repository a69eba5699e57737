using System;
using System.Collections.Generic;
using System.Linq;
using KdDsl.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>What teacher training did: losses, the validation curve where there is one, and which epoch was kept.</summary>
public sealed record TeacherTrainingReport(
    IReadOnlyList<double> EpochLosses,
    IReadOnlyList<double> ValidationAccuracy,
    IReadOnlyList<double> ValidationLoss,
    TeacherSelection Selection,
    int SelectedEpoch,
    bool StoppedAtTargetAccuracy);

/// <summary>
/// Trains a teacher with cross-entropy, keeping the epoch chosen by <see cref="TeacherSelection"/>, or stopping as soon as it
/// reaches a target accuracy (a deliberately under-trained teacher, as in defective-teacher KD).
/// </summary>
public static class TeacherTraining
{
    /// <summary>Trains <paramref name="teacher"/> on <paramref name="data"/>'s training split and leaves the selected weights in it.</summary>
    public static TeacherTrainingReport Train(
        nn.Module<Tensor, Tensor> teacher, DatasetSplits data, TrainingSettings settings, TeacherSelection selection, double stopAtAccuracy,
        Device device, IProgress<TrainingProgress>? progress)
    {
        if (selection != TeacherSelection.LastEpoch && data.Validation is null)
            throw new InvalidOperationException(
                $"Teacher selection {selection} needs a validation split: pass DatasetSplits with Validation, or set [Dataset(ValidationFraction = ...)].");
        var validation = data.Validation;
        var accuracies = new List<double>();
        var losses = new List<double>();
        Dictionary<string, Tensor>? best = null;
        double bestScore = double.NegativeInfinity;
        int bestEpoch = 0;
        bool stopped = false;

        Func<int, int, bool>? stop = null;
        if (stopAtAccuracy > 0)
        {
            var probe = validation ?? data.Train;
            int steps = Batches.StepsPerEpoch(data.Train.Count, settings.BatchSize);
            int interval = Math.Max(1, steps / 10);
            stop = (epoch, step) =>
            {
                if (step % interval != 0 && step != steps) return false;
                stopped = Evaluation.Accuracy(teacher, probe, settings.BatchSize, device) >= stopAtAccuracy;
                return stopped;
            };
        }

        Action<int>? afterEpoch = null;
        if (validation is not null)
        {
            afterEpoch = epoch =>
            {
                double accuracy = Evaluation.Accuracy(teacher, validation, settings.BatchSize, device);
                double loss = Evaluation.CrossEntropy(teacher, validation, settings.BatchSize, device);
                accuracies.Add(accuracy);
                losses.Add(loss);
                double score = selection switch
                {
                    TeacherSelection.BestValidationAccuracy => accuracy,
                    TeacherSelection.LowestValidationLoss => -loss,
                    _ => epoch, // the last epoch always wins
                };
                if (score > bestScore)
                {
                    bestScore = score;
                    bestEpoch = epoch;
                    if (selection != TeacherSelection.LastEpoch) best = Snapshot(teacher, best);
                }
            };
        }

        var epochLosses = SupervisedTraining.Train(teacher, data.Train, settings, TrainingPhase.Teacher, device, progress, stop, afterEpoch);
        int selected = epochLosses.Count;
        if (best is not null && !stopped)
        {
            using (no_grad())
            {
                foreach (var (name, parameter) in teacher.state_dict()) parameter.copy_(best[name]);
            }
            selected = bestEpoch;
        }
        if (best is not null)
            foreach (var tensor in best.Values) tensor.Dispose();
        return new TeacherTrainingReport(epochLosses, accuracies, losses, selection, selected, stopped);
    }

    private static Dictionary<string, Tensor> Snapshot(nn.Module model, Dictionary<string, Tensor>? previous)
    {
        if (previous is not null)
            foreach (var tensor in previous.Values) tensor.Dispose();
        using var noGrad = no_grad();
        return model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
    }
}
