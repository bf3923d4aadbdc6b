import Testing

@testable import GRPCServer
@testable import HTTP2Server

@Suite struct HTTP2ResponseWriterTests {
    @Test func wholeResponseWithoutBodyOrTrailersEndsWithTheHeaders() {
        let recorder = ResponseRecorder()
        #expect(recorder.writer.send(HTTP2Response(status: 204, headers: [HTTPField("x", "1")])))
        guard case .head(204, [HTTPField("x", "1")], endsStream: true) = recorder.recorded.first else {
            Issue.record("got \(recorder.recorded)")
            return
        }
        #expect(recorder.writer.isFinished)
        #expect(!recorder.writer.send(HTTP2Response(status: 200)), "a second response is dropped")
        #expect(recorder.recorded.count == 1)
    }

    @Test func partsKeepTheirOrderAndNothingFollowsTheEnd() throws {
        let recorder = ResponseRecorder()
        let writer = recorder.writer
        #expect(writer.sendHead(status: 200, headers: []))
        #expect(writer.isStreaming)
        #expect(writer.sendData([1]))
        #expect(writer.sendData([2, 3]))
        #expect(writer.finish(trailers: [HTTPField("grpc-status", "0")]))
        #expect(!writer.sendData([4]))
        #expect(!writer.finish())
        let response = try #require(recorder.response)
        #expect(response.body == [1, 2, 3])
        #expect(response.trailers == [HTTPField("grpc-status", "0")])
    }

    @Test func closedStreamDropsPartsAndWakesWaiters() async {
        let recorder = ResponseRecorder()
        let writer = recorder.writer
        writer.sendHead(status: 200, headers: [])
        let waiter = Task { await writer.interruption() }
        writer.interrupt(.closed)
        #expect(await waiter.value == .closed)
        #expect(!writer.sendData([1]))
        #expect(await writer.interruption() == .closed, "a late waiter returns at once")
    }

    @Test func drainingIsReportedButTheResponseMayStillFinish() async {
        let recorder = ResponseRecorder()
        let writer = recorder.writer
        writer.sendHead(status: 200, headers: [])
        writer.interrupt(.serverDraining)
        #expect(await writer.interruption() == .serverDraining)
        #expect(writer.sendData([9]))
        #expect(writer.finish())
        writer.interrupt(.closed)
        #expect(await writer.interruption() == .closed)
    }

    @Test func cancelledWaiterReturnsNil() async {
        let writer = ResponseRecorder().writer
        let waiter = Task { await writer.interruption() }
        waiter.cancel()
        #expect(await waiter.value == nil)
    }
}
