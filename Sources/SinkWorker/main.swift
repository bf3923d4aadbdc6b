import Shared

let logger = Logger(label: "sink-worker")
logger.info("starting")
