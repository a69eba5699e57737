using System.Linq;
using KdDsl.Losses;
using KdDsl.Tests.Losses;
using KdDsl.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.EndToEnd;

/// <summary>
/// ReverseKl and JensenShannon, declared as [Loss] terms, reach the generated loop with their declared options: the value the loop
/// records equals the float64 reference evaluated on the student's initial logits and the trained teacher's logits.
/// </summary>
public sealed class CatalogKindsTests
{
    [Fact]
    public void Declared_divergences_are_computed_by_the_loop_as_the_float64_reference_says()
    {
        using var result = LoggedDivergencesKd.Run();
        Assert.Equal(new[] { "CrossEntropy", "ReverseKl", "JensenShannon" }, LoggedDivergencesKd.LossTermNames);

        // The one step saw the whole training split with the student as the run built it (seed + 1).
        using var data = KdDsl.Data.BuiltInDatasets.Load(DatasetKind.Digits, null, 120, 60);
        ExperimentRuntime.Seed(result.Settings.Seed + 1);
        using var initial = new TinyStudent(data.Train.FeatureCount, data.Train.ClassCount);
        double[,] student, teacher;
        using (no_grad())
        {
            initial.eval();
            result.Teacher.eval();
            student = ToArray(initial.call(data.Train.Features));
            teacher = ToArray(result.Teacher.call(data.Train.Features));
        }
        var epoch = result.Epochs.Single();
        double reverseKl = DivergenceReference.Term(DivergenceReference.ReverseKlRow, student, teacher, 2, 2, KlReduction.BatchMean, true);
        double jensenShannon = DivergenceReference.Term(DivergenceReference.JensenShannonRow, student, teacher, 3, 1.5, KlReduction.ElementwiseMean, true);
        Assert.Equal(reverseKl, epoch.ReverseKl, 4);
        Assert.Equal(jensenShannon, epoch.JensenShannon, 4);
        Assert.True(reverseKl > 1e-3 && jensenShannon > 1e-4); // not trivially zero
        Assert.Equal(epoch.CrossEntropy, epoch.Total, 12); // weight 0: logged, not trained on
    }

    private static double[,] ToArray(Tensor logits)
    {
        using var cpu = logits.to_type(ScalarType.Float64).cpu();
        var flat = cpu.data<double>().ToArray();
        int n = (int)cpu.shape[0], k = (int)cpu.shape[1];
        var array = new double[n, k];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++)
                array[i, j] = flat[i * k + j];
        return array;
    }
}
