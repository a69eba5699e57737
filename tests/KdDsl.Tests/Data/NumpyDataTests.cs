using System;
using System.IO;
using System.Linq;
using KdDsl.Data;
using TorchSharp;
using Xunit;

namespace KdDsl.Tests.Data;

public class NumpyDataTests
{
    // Written by Data/Fixtures/make_numpy_fixtures.py with NumPy 1.24; copied next to the test assembly.
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "Fixtures", name);

    private static readonly float[] X = Enumerable.Range(0, 12).Select(i => i * 0.5f - 1f).ToArray();

    [Theory]
    [InlineData("x_f4.npy")]
    [InlineData("x_f4_v2.npy")]
    public void Float32_v1_and_v2(string name)
    {
        using var x = NumpyData.LoadArray(Fixture(name));
        Assert.Equal(torch.ScalarType.Float32, x.dtype);
        Assert.Equal(new long[] { 4, 3 }, x.shape);
        Assert.Equal(X, x.data<float>().ToArray());
    }

    [Fact]
    public void Integer_float64_and_uint8_arrays()
    {
        using var y8 = NumpyData.LoadArray(Fixture("y_i8.npy"));
        Assert.Equal(torch.ScalarType.Int64, y8.dtype);
        Assert.Equal(new long[] { 0, 1, 2, 1 }, y8.data<long>().ToArray());
        using var y4 = NumpyData.LoadArray(Fixture("y_i4.npy"));
        Assert.Equal(torch.ScalarType.Int32, y4.dtype);
        Assert.Equal(new[] { 0, 1, 2, 1 }, y4.data<int>().ToArray());
        using var f8 = NumpyData.LoadArray(Fixture("x_f8.npy"));
        Assert.Equal(torch.ScalarType.Float64, f8.dtype);
        Assert.Equal(new[] { 1.25, -2.5, 3.0, 1e-3 }, f8.data<double>().ToArray());
        using var images = NumpyData.LoadArray(Fixture("images_u1.npy"));
        Assert.Equal(torch.ScalarType.Byte, images.dtype);
        Assert.Equal(new long[] { 2, 1, 2, 2 }, images.shape);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (byte)(i * 30)).ToArray(), images.data<byte>().ToArray());
    }

    [Fact]
    public void Fortran_order_is_refused_clearly()
    {
        var e = Assert.Throws<DatasetException>(() => NumpyData.LoadArray(Fixture("fortran_f4.npy")));
        Assert.Contains("fortran_f4.npy", e.Message);
        Assert.Contains("Fortran", e.Message);
    }

    [Fact]
    public void Two_npy_files_make_a_dataset()
    {
        using var set = NumpyData.Load(Fixture("x_f4.npy"), Fixture("y_i4.npy"));
        Assert.Equal(3, set.ClassCount);
        Assert.Equal(torch.ScalarType.Int64, set.Labels.dtype);
        Assert.Equal(new long[] { 0, 1, 2, 1 }, set.Labels.data<long>().ToArray());
        Assert.Equal(X, set.Features.data<float>().ToArray());
        using var wider = NumpyData.Load(Fixture("x_f4.npy"), Fixture("y_i8.npy"), classCount: 5);
        Assert.Equal(5, wider.ClassCount);
    }

    [Fact]
    public void Stored_npz_with_default_names()
    {
        using var set = NumpyData.LoadNpz(Fixture("xy.npz"));
        Assert.Equal(new long[] { 4, 3 }, set.Features.shape);
        Assert.Equal(X, set.Features.data<float>().ToArray());
        Assert.Equal(new long[] { 0, 1, 2, 1 }, set.Labels.data<long>().ToArray());
    }

    [Fact]
    public void Deflated_npz_with_chosen_names()
    {
        using var set = NumpyData.LoadNpz(Fixture("images_compressed.npz"), featuresName: "images", labelsName: "labels");
        Assert.Equal(new long[] { 2, 1, 2, 2 }, set.Features.shape);
        Assert.Equal(torch.ScalarType.Byte, set.FeatureType);
        Assert.Equal(new byte[] { 0, 30, 60, 90, 120, 150, 180, 210 }, set.Features.data<byte>().ToArray());
        Assert.Equal(new long[] { 1, 0 }, set.Labels.data<long>().ToArray());
        var e = Assert.Throws<DatasetException>(() => NumpyData.LoadNpz(Fixture("images_compressed.npz")));
        Assert.Contains("'x'", e.Message);
        Assert.Contains("'images', 'labels'", e.Message);
    }

    [Fact]
    public void Not_a_npy_file_is_refused()
    {
        using var dir = new TempDirectory();
        string path = dir.File("junk.npy");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        var e = Assert.Throws<DatasetException>(() => NumpyData.LoadArray(path));
        Assert.Contains("junk.npy", e.Message);
    }
}
