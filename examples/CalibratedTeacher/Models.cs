using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.Examples.CalibratedTeacher;

/// <summary>
/// The teachers: two hidden ReLU layers of the same width, no dropout and no weight decay, so that with long training the
/// wide ones fit the training split almost perfectly and become over-confident on the test split (Guo et al., 2017).
/// The DSL builds models through an <c>(int inputFeatures, int classCount)</c> constructor, so each width is its own
/// sealed class below.
/// </summary>
public abstract class TeacherMlp : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    protected TeacherMlp(string name, int inputFeatures, int classCount, int width) : base(name)
    {
        layers = nn.Sequential(
            nn.Linear(inputFeatures, width), nn.ReLU(),
            nn.Linear(width, width), nn.ReLU(),
            nn.Linear(width, classCount));
        RegisterComponents();
    }

    /// <summary>Weights and biases of a <see cref="TeacherMlp"/> of the given width.</summary>
    public static long ParameterCount(int inputFeatures, int classCount, int width) =>
        (long)(inputFeatures + 1) * width + (long)(width + 1) * width + (long)(width + 1) * classCount;

    public override Tensor forward(Tensor input) => layers.call(input);
}

/// <summary>Teacher with two hidden layers of 128 units (118,282 parameters on Fashion-MNIST, 9.3x the student).</summary>
public sealed class TeacherW128(int inputFeatures, int classCount) : TeacherMlp(nameof(TeacherW128), inputFeatures, classCount, Width)
{
    public const int Width = 128;
}

/// <summary>Teacher with two hidden layers of 256 units (269,322 parameters, 21x the student).</summary>
public sealed class TeacherW256(int inputFeatures, int classCount) : TeacherMlp(nameof(TeacherW256), inputFeatures, classCount, Width)
{
    public const int Width = 256;
}

/// <summary>Teacher with two hidden layers of 512 units (669,706 parameters, 53x the student).</summary>
public sealed class TeacherW512(int inputFeatures, int classCount) : TeacherMlp(nameof(TeacherW512), inputFeatures, classCount, Width)
{
    public const int Width = 512;
}

/// <summary>Teacher with two hidden layers of 768 units (1,201,162 parameters, 94x the student).</summary>
public sealed class TeacherW768(int inputFeatures, int classCount) : TeacherMlp(nameof(TeacherW768), inputFeatures, classCount, Width)
{
    public const int Width = 768;
}

/// <summary>The one student every teacher is distilled into: one hidden layer of 16 units (12,730 parameters).</summary>
public sealed class StudentMlp : nn.Module<Tensor, Tensor>
{
    public const int Width = 16;

    private readonly Sequential layers;

    public StudentMlp(int inputFeatures, int classCount) : base(nameof(StudentMlp))
    {
        layers = nn.Sequential(nn.Linear(inputFeatures, Width), nn.ReLU(), nn.Linear(Width, classCount));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => layers.call(input);
}
