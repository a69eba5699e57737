using System;
using KdDsl.Data;
using KdDsl.Models;
using KdDsl.Training;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace KdDsl.Benchmarks;

/// <summary>
/// The reference for benchmark (h): <see cref="HandWrittenKd"/>'s idioms for the CNN step. A fresh SmallCnn student per call,
/// a shuffled epoch order, one dispose scope per step, the ResNet-20 teacher in eval mode under no_grad (or its cached logits),
/// CE 0.5 + KL 0.5 at T = 4 (log_softmax, kl_div with log targets, summed and divided by the batch size, times T^2), Adam, and
/// reading both terms' values once per step.
/// </summary>
internal static class HandWrittenCnnKd
{
    public const double Temperature = 4;
    public const double CrossEntropyWeight = 0.5;
    public const double KlWeight = 0.5;

    /// <summary>
    /// Trains a fresh student for <paramref name="epochs"/> epochs against <paramref name="teacher"/>, or against
    /// <paramref name="cachedTeacherLogits"/> ([N, K], the teacher's logits for every training sample) when given; reports every step.
    /// </summary>
    public static void Train(nn.Module<Tensor, Tensor> teacher, LabeledDataset train, int epochs, int batchSize, double learningRate, int seed,
        IProgress<TrainingProgress> progress, Tensor? cachedTeacherLogits = null)
    {
        torch.manual_seed(seed + 1);
        using var student = new SmallCnn((int)train.SampleShape[0], train.ClassCount);
        using var optimizer = optim.Adam(student.parameters(), learningRate);
        using var generator = new Generator((ulong)seed);
        long count = train.Count;
        int steps = (int)((count + batchSize - 1) / batchSize);
        teacher.eval();
        student.train();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            using var order = randperm(count, generator: generator);
            for (int step = 1; step <= steps; step++)
            {
                using var scope = NewDisposeScope();
                long start = (long)(step - 1) * batchSize;
                var indices = order.narrow(0, start, Math.Min(batchSize, count - start));
                var inputs = train.Features.index_select(0, indices);
                var labels = train.Labels.index_select(0, indices);
                Tensor teacherLogits;
                if (cachedTeacherLogits is not null)
                    teacherLogits = cachedTeacherLogits.index_select(0, indices);
                else
                    using (no_grad())
                        teacherLogits = teacher.call(inputs);
                var studentLogits = student.call(inputs);
                var crossEntropy = F.cross_entropy(studentLogits, labels);
                var kl = F.kl_div(F.log_softmax(studentLogits / Temperature, 1), F.log_softmax(teacherLogits / Temperature, 1),
                    reduction: nn.Reduction.Sum, log_target: true) * (Temperature * Temperature / inputs.shape[0]);
                var loss = CrossEntropyWeight * crossEntropy + KlWeight * kl;
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                double total = CrossEntropyWeight * crossEntropy.item<float>() + KlWeight * kl.item<float>();
                progress.Report(new TrainingProgress(TrainingPhase.Distillation, epoch, epochs, step, steps, total));
            }
        }
    }
}
